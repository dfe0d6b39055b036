package io.samtykke.audit.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.samtykke.audit.ingest.ReceivedEvent.NotAnEvent;
import io.samtykke.audit.log.LogWriter;
import io.samtykke.audit.log.LogWriter.Admitted;
import io.samtykke.audit.verifier.CanonicalJson;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads every samtykke event topic in batches and appends what it reads to the tenants' logs, once
 * per event. Records that are not valid events go to the dead-letter topic {@code samtykke.dlq.audit-service}
 * with the reason in the {@code dead-letter-reason} header, and ingestion goes on. A batch is acknowledged
 * (its offsets committed) only after its dead letters are on the broker and its entries committed; while
 * PostgreSQL or Kafka is unreachable the batch is retried and the partitions wait: at least once, never loss.
 */
@ApplicationScoped
public class EventIngest {

    public static final String REASON = "dead-letter-reason";
    public static final String ORIGINAL_TOPIC = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET = "dead-letter-offset";

    private static final Logger LOG = Logger.getLogger(EventIngest.class);
    private static final TypeReference<Map<String, Object>> PLAIN = new TypeReference<>() { };
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    @Inject
    LogWriter log;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Channel("dead-letters")
    MutinyEmitter<byte[]> deadLetters;

    /** Blocking on a worker thread, one batch at a time: sealing and hashing are CPU work, off the event loop. */
    @Incoming("events")
    @Blocking
    public void ingest(ConsumerRecords<String, byte[]> records) {
        List<Admitted> admitted = new ArrayList<>(records.count());
        List<Uni<Void>> rejected = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                admitted.add(admit(record));
            } catch (NotAnEvent e) {
                LOG.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                rejected.add(deadLetter(record, e.getMessage()));
            }
        }
        if (!rejected.isEmpty()) {
            retrying("send dead letters", () -> Uni.join().all(rejected).andFailFast().await().atMost(LAST_RETRY));
            count("dead-lettered", rejected.size());
        }
        if (!admitted.isEmpty()) {
            LogWriter.Appended appended = retrying("store " + admitted.size() + " events", () -> log.append(admitted));
            count("stored", appended.stored());
            count("duplicate", appended.duplicates());
        }
    }

    /** The record as an event the log can keep, or why not. */
    Admitted admit(ConsumerRecord<String, byte[]> record) throws NotAnEvent {
        ReceivedEvent event = ReceivedEvent.of(record);
        if (!ContractCheck.isConsentEvent(event)) {
            return new Admitted(event, null);
        }
        JsonNode number = unwritableNumber(event.json());
        if (number != null) {
            throw new NotAnEvent("the payload holds the number " + number + ", which is no whole number within ±2^53");
        }
        return new Admitted(event, json.convertValue(event.json(), PLAIN));
    }

    /** A number canonical entry bytes cannot hold (a fraction or beyond ±2^53), or null. */
    private static JsonNode unwritableNumber(JsonNode node) {
        if (node.isNumber()) {
            return CanonicalJson.isWritable(node.numberValue()) ? null : node;
        }
        for (JsonNode child : node) {
            JsonNode found = unwritableNumber(child);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(ORIGINAL_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(ORIGINAL_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(ORIGINAL_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key())
                .withHeaders(headers)
                .build();
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return deadLetters.sendMessage(Message.of(value).addMetadata(metadata));
    }

    /** Runs {@code work} until it succeeds, backing off from 200 ms to 10 s between attempts. */
    private <T> T retrying(String what, Supplier<T> work) {
        Duration delay = FIRST_RETRY;
        while (true) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                LOG.warnf("could not %s (%s); retrying in %d ms", what, e.getMessage(), delay.toMillis());
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while retrying to " + what, interrupted);
                }
                delay = delay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay.multipliedBy(2);
            }
        }
    }

    private void count(String outcome, int n) {
        if (n > 0) {
            metrics.counter("samtykke.audit.ingested", "outcome", outcome).increment(n);
        }
    }
}
