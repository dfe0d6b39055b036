package io.samtykke.audit.ingest;

import io.samtykke.kit.deadletter.BadData;
import io.samtykke.kit.deadletter.DeadLetterTable;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.samtykke.audit.ingest.ReceivedEvent.NotAnEvent;
import io.samtykke.audit.export.SubjectExportResponder;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.samtykke.contract.CloudEventHeaders;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.UUID;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads every samtykke event topic in batches and appends what it reads to the tenants' logs, once
 * per event. Records that are not valid events go to the dead-letter topic {@code samtykke.dlq.audit-service}
 * with the reason in the {@code dead-letter-reason} header, and ingestion goes on: that includes records whose entry
 * bytes cannot be built (checked before the batch is appended) and, as a backstop, events the database refuses as bad
 * data again and again when appended on their own. A batch is acknowledged (its offsets committed) only after its dead
 * letters are on the broker and its entries committed; while PostgreSQL or Kafka is unreachable the batch is retried
 * and the partitions wait: at least once, never loss.
 */
@ApplicationScoped
public class EventIngest {

    public static final String REASON = "dead-letter-reason";
    public static final String ORIGINAL_TOPIC = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET = "dead-letter-offset";
    private static final TypeReference<Map<String, Object>> PLAIN = new TypeReference<>() { };
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);
    /** How often an append may fail on bad data before its batch is appended event by event, or its event dead-lettered. */
    static final int BAD_DATA_ATTEMPTS = 3;

    /** The first pause between attempts; it doubles up to 10 s. */
    Duration firstRetry = Duration.ofMillis(200);

    @Inject
    LogWriter log;

    @Inject
    SubjectExportResponder exports;

    @Inject
    DeadLetterTable table;

    /** The time of refusal entries. */
    Clock clock = Clock.systemUTC();

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
        List<ConsumerRecord<String, byte[]>> admittedRecords = new ArrayList<>(records.count());
        List<Admitted> admitted = new ArrayList<>(records.count());
        List<Uni<Void>> rejected = new ArrayList<>();
        List<Admitted> gaps = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                admitted.add(admit(record));
                admittedRecords.add(record);
            } catch (NotAnEvent e) {
                Log.warnf("dead-lettering %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
                rejected.add(deadLetter(record, e.getMessage()));
                gap(record, e.getMessage()).ifPresent(gaps::add);
            }
        }
        if (!rejected.isEmpty()) {
            retrying("send dead letters", () -> Uni.join().all(rejected).andFailFast().await().atMost(LAST_RETRY));
            count("dead-lettered", rejected.size());
            logGaps(gaps);
        }
        if (!admitted.isEmpty()) {
            store(admittedRecords, admitted);
            answerExportRequests(admitted);
        }
    }

    /**
     * Publishes this service's part of each export requested in the batch, once the request is logged (so the part
     * includes it) and before the batch is acknowledged: a redelivered request is answered again, with chunk ids that
     * follow from the content (consent-service keeps the first complete part of each service).
     */
    private void answerExportRequests(List<Admitted> admitted) {
        for (Admitted a : admitted) {
            if (SubjectExportResponder.isExportRequest(a.event())) {
                try {
                    retrying("answer export request " + a.event().eventId(), () -> {
                        exports.answer(a.event());
                        return null;
                    }, BAD_DATA_ATTEMPTS);
                    count("export-answered", 1);
                } catch (KeepsFailingOnBadData e) {
                    // e.g. a part over the contract's chunk limit: retrying cannot help, and must not stop the log for
                    // every tenant; the request stays open without this part (consent-service reports it overdue)
                    Log.errorf("cannot answer export request %s of tenant %s: %s; it gets no audit-service part",
                            a.event().eventId(), a.event().tenantId(), e.getMessage());
                    count("export-failed", 1);
                }
            }
        }
    }

    /** The record as an event the log can keep, or why not. */
    Admitted admit(ConsumerRecord<String, byte[]> record) throws NotAnEvent {
        ReceivedEvent event = ReceivedEvent.of(record);
        Admitted admitted;
        if (!ContractCheck.isConsentEvent(event)) {
            admitted = new Admitted(ExportPartRedaction.applies(event) ? ExportPartRedaction.redact(event) : event, null);
        } else {
            JsonNode number = unwritableNumber(event.json());
            if (number != null) {
                throw new NotAnEvent("the payload holds the number " + number + ", which is no whole number within ±2^53");
            }
            try {
                admitted = new Admitted(event, json.convertValue(event.json(), PLAIN));
            } catch (IllegalArgumentException e) {
                String why = e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                        : e.getMessage();
                throw new NotAnEvent("the payload cannot be read as plain JSON values: " + why);
            }
        }
        try {
            // what the log would store, built now: an event whose entry cannot be built never reaches a batch's transaction
            LogWriter.check(admitted);
        } catch (RuntimeException e) {
            throw new NotAnEvent("the event cannot be made into a log entry: " + e.getMessage());
        }
        return admitted;
    }

    /**
     * Appends the admitted events, retrying while PostgreSQL is unreachable. When the batch keeps failing on what the
     * database or the entry code says is bad data ({@link BadData#is}), it is appended event by event instead, and
     * only the events that fail so on their own are dead-lettered; a failure of any other kind is retried, forever.
     */
    private void store(List<ConsumerRecord<String, byte[]>> records, List<Admitted> admitted) {
        LogWriter.Appended appended;
        try {
            appended = retrying("store " + admitted.size() + " events", () -> log.append(admitted), BAD_DATA_ATTEMPTS);
        } catch (KeepsFailingOnBadData e) {
            Log.warnf("a batch of %d events failed %d times on bad data (%s); storing them one by one", admitted.size(),
                    BAD_DATA_ATTEMPTS, BadData.describe(e.getCause()));
            storeOneByOne(records, admitted);
            return;
        }
        count("stored", appended.stored());
        count("duplicate", appended.duplicates());
    }

    private void storeOneByOne(List<ConsumerRecord<String, byte[]>> records, List<Admitted> admitted) {
        for (int i = 0; i < admitted.size(); i++) {
            ConsumerRecord<String, byte[]> record = records.get(i);
            List<Admitted> one = List.of(admitted.get(i));
            String where = record.topic() + "-" + record.partition() + "@" + record.offset();
            try {
                LogWriter.Appended appended = retrying("store " + where, () -> log.append(one), BAD_DATA_ATTEMPTS);
                count("stored", appended.stored());
                count("duplicate", appended.duplicates());
            } catch (KeepsFailingOnBadData e) {
                String reason = "the event could not be stored: " + BadData.describe(e.getCause());
                Log.warnf("dead-lettering %s: %s", where, reason);
                retrying("send a dead letter", () -> deadLetter(record, reason).await().atMost(LAST_RETRY));
                count("dead-lettered", 1);
                gap(record, reason).ifPresent(g -> logGaps(List.of(g)));
            }
        }
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
        return deadLetters.sendMessage(Message.of(value).addMetadata(metadata))
                .flatMap(v -> table.keep(record, reason));
    }

    /** The type of the entry that records, in a tenant's log, that one of its records could not be admitted. */
    public static final String REFUSED_TYPE = "io.samtykke.audit.record-refused.v1";
    static final String SOURCE = "/samtykke/audit-service";

    /** The event id of the refusal entry of a record: one per topic, partition and offset, so a redelivery adds none. */
    static UUID gapId(ConsumerRecord<String, byte[]> record) {
        return UUID.nameUUIDFromBytes(("refused:" + record.topic() + "/" + record.partition() + "/" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The entry that shows the gap in the tenant's log instead of hiding it: record N (topic, partition, offset) claiming
     * event id E and type T was refused, and why. Only where the record names a tenant the log can hold; never the
     * record's payload (it may hold personal data, which the log keeps only sealed under the person's key).
     */
    Optional<Admitted> gap(ConsumerRecord<String, byte[]> record, String reason) {
        String tenant = DeadLetterTable.readableHeader(record, CloudEventHeaders.TENANT_ID);
        if (tenant == null) {
            return Optional.empty();
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("topic", record.topic());
        data.put("partition", record.partition());
        data.put("offset", record.offset());
        data.put("eventId", DeadLetterTable.readableHeader(record, CloudEventHeaders.ID));
        data.put("type", DeadLetterTable.readableHeader(record, CloudEventHeaders.TYPE));
        data.put("reason", reason.length() > 500 ? reason.substring(0, 500) : reason);
        data.values().removeIf(java.util.Objects::isNull);
        try {
            byte[] payload = json.writeValueAsBytes(data);
            ReceivedEvent e = new ReceivedEvent(tenant, gapId(record), REFUSED_TYPE, SOURCE, null, null,
                    clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS), null, record.topic(), record.partition(),
                    record.offset(), payload, json.readTree(payload));
            // kept readable, as a consent event's non-personal members are: it names no subject and holds no personal value
            Admitted gap = new Admitted(e, data);
            LogWriter.check(gap);
            return Optional.of(gap);
        } catch (IOException | RuntimeException e) {
            Log.warnf("no refusal entry for %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.toString());
            return Optional.empty();
        }
    }

    private void logGaps(List<Admitted> gaps) {
        if (gaps.isEmpty()) {
            return;
        }
        try {
            LogWriter.Appended appended = retrying("log " + gaps.size() + " refusals", () -> log.append(gaps), BAD_DATA_ATTEMPTS);
            count("refusal-logged", appended.stored());
        } catch (KeepsFailingOnBadData e) {
            // the dead letters exist; only the entries that would show them could not be written
            Log.warnf("could not log %d refusal entries: %s", gaps.size(), BadData.describe(e.getCause()));
        }
    }


    /** What a replay of a dead letter did. */
    public record Replay(boolean stored, String reason) {
    }

    /**
     * Runs a dead letter through admission and storing again, after a fix: stored (or found already logged), it is
     * marked replayed; refused again, it stays with the new reason. Blocking, like ingestion.
     */
    public Replay replay(DeadLetterTable.Stored letter) {
        ConsumerRecord<String, byte[]> record = letter.record();
        Admitted admitted;
        try {
            admitted = admit(record);
        } catch (NotAnEvent e) {
            table.stillRefused(letter.view().id(), e.getMessage()).await().atMost(LAST_RETRY);
            return new Replay(false, e.getMessage());
        }
        LogWriter.Appended appended;
        try {
            appended = log.append(List.of(admitted));
        } catch (RuntimeException e) {
            String reason = "the event could not be stored: " + BadData.describe(e);
            table.stillRefused(letter.view().id(), reason).await().atMost(LAST_RETRY);
            return new Replay(false, reason);
        }
        count("stored", appended.stored());
        count("duplicate", appended.duplicates());
        table.replayed(letter.view().id()).await().atMost(LAST_RETRY);
        Log.infof("replayed dead letter %d (%s-%d@%d)", letter.view().id(), record.topic(), record.partition(), record.offset());
        return new Replay(true, null);
    }

    /** Runs {@code work} until it succeeds, backing off from 200 ms to 10 s between attempts. */
    private <T> T retrying(String what, Supplier<T> work) {
        return retrying(what, work, Integer.MAX_VALUE);
    }

    /**
     * Runs {@code work} until it succeeds, backing off from 200 ms to 10 s between attempts; throws {@link KeepsFailingOnBadData} once
     * it has failed {@code badDataAttempts} times on bad data ({@link BadData#is}). Other failures never end the retries.
     */
    private <T> T retrying(String what, Supplier<T> work, int badDataAttempts) {
        Duration delay = firstRetry;
        int badData = 0;
        while (true) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (BadData.is(e) && ++badData >= badDataAttempts) {
                    throw new KeepsFailingOnBadData(e);
                }
                Log.warnf("could not %s (%s); retrying in %d ms", what, BadData.describe(e), delay.toMillis());
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

    /** Work that failed on bad data as often as it may: retrying it would fail the same way. */
    private static final class KeepsFailingOnBadData extends RuntimeException {
        KeepsFailingOnBadData(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private void count(String outcome, int n) {
        if (n > 0) {
            metrics.counter("samtykke.audit.ingested", "outcome", outcome).increment(n);
        }
    }
}
