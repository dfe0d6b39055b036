package io.samtykke.audit.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samtykke.audit.Events;
import io.samtykke.audit.log.LogWriter;
import io.samtykke.audit.log.LogWriter.Admitted;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What is admitted, and how a batch that cannot be appended is retried: a database that is unreachable or failing for reasons of its own is
 * waited for, forever, and nothing is dead-lettered; an event the database refuses as bad data, again and again, is
 * dead-lettered alone while the rest of its batch is stored in order. PostgreSQL's failures are simulated here (an
 * outage cannot be staged on the shared test database); PoisonRecordTest shows the real database refusing an event.
 */
class EventIngestTest {

    private static final String TOPIC = Topics.CONSENT_EVENTS;

    private final List<List<UUID>> calls = new ArrayList<>();
    private final List<UUID> stored = new ArrayList<>();
    private final List<Message<?>> letters = new ArrayList<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private final ConsentEvent e1 = Events.consent("acme", "anna", "newsletter", ConsentState.GRANTED, 1);
    private final ConsentEvent e2 = Events.consent("acme", "anna", "newsletter", ConsentState.WITHDRAWN, 2);
    private final ConsentEvent e3 = Events.consent("other", "bo", "newsletter", ConsentState.GRANTED, 1);

    @Test
    @Timeout(30)
    void whileTheDatabaseFailsForReasonsOfItsOwnTheBatchIsRetriedAndNothingIsDeadLettered() {
        List<RuntimeException> outage = List.of(
                new VertxException("Connection refused: localhost/127.0.0.1:15432"),
                new PgException("terminating connection due to administrator command", "FATAL", "57P01", null),
                new PgException("the database system is starting up", "FATAL", "57P03", null),
                new CompletionException(new io.smallrye.mutiny.TimeoutException()),
                new PgException("could not serialize access", "ERROR", "40001", null),
                new PgException("duplicate key value violates unique constraint \"audit_entry_pkey\"", "ERROR", "23505", null),
                new PgException("permission denied for table audit_entry", "ERROR", "42501", null));
        EventIngest ingest = ingest(events -> calls.size() <= outage.size() ? outage.get(calls.size() - 1) : null);

        ingest.ingest(batch(e1, e2, e3));

        assertEquals(outage.size() + 1, calls.size(), "every attempt is of the whole batch");
        assertTrue(calls.stream().allMatch(c -> c.equals(ids(e1, e2, e3))), calls.toString());
        assertEquals(ids(e1, e2, e3), stored);
        assertEquals(List.of(), letters, "a database outage dead-letters nothing");
        assertEquals(3.0, counted("stored"));
        assertEquals(0.0, counted("dead-lettered"));
    }

    @Test
    @Timeout(30) // without the fallback the batch is retried forever
    void aBatchThatKeepsFailingOnBadDataIsStoredEventByEventAndOnlyTheEventAtFaultIsDeadLettered() {
        PgException badData = new PgException("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "22021", null);
        boolean[] outageOnce = {true};
        EventIngest ingest = ingest(events -> {
            if (events.size() == 1 && events.get(0).event().eventId().equals(e3.eventId()) && outageOnce[0]) {
                outageOnce[0] = false;
                return new VertxException("Connection refused");
            }
            return events.stream().anyMatch(a -> a.event().eventId().equals(e2.eventId())) ? badData : null;
        });

        ingest.ingest(batch(e1, e2, e3));

        // the refusal entry of e2's record (offset 1), which shows the gap in acme's log
        UUID refusal = UUID.nameUUIDFromBytes(("refused:" + TOPIC + "/0/1").getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(ids(e1, e2, e3), ids(e1, e2, e3), ids(e1, e2, e3), ids(e1), ids(e2), ids(e2), ids(e2), List.of(refusal),
                        ids(e3), ids(e3)),
                calls, "three tries of the batch, then each event on its own: bad data three times, an outage until it passes");
        assertEquals(List.of(e1.eventId(), refusal, e3.eventId()), stored, "the others in their order, and the refusal");
        assertEquals(1, letters.size());
        Message<?> letter = letters.get(0);
        OutgoingKafkaRecordMetadata<?> metadata = letter.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        assertEquals("acme/anna", metadata.getKey());
        String reason = new String(metadata.getHeaders().lastHeader(EventIngest.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.startsWith("the event could not be stored: "), reason);
        assertTrue(reason.contains("invalid byte sequence") && reason.contains("22021"), reason);
        assertEquals("1", new String(metadata.getHeaders().lastHeader(EventIngest.ORIGINAL_OFFSET).value(), StandardCharsets.UTF_8));
        assertEquals(2.0, counted("stored"));
        assertEquals(1.0, counted("dead-lettered"));
        assertEquals(1.0, counted("refusal-logged"));
    }


    @Test
    void anEventWhoseEntryCannotBeBuiltIsNotAnEvent() throws Exception {
        EventIngest ingest = ingest(events -> null);
        ProducerRecord<String, byte[]> r = Events.record(e1);
        String json = new String(r.value(), StandardCharsets.UTF_8);
        for (String lone : List.of("\\ud800", "\\udfff", "a\\ud800b", "\\udc00\\ud800")) {
            byte[] value = json.replace("\"userAgent\":\"TaxaApp/5.2\"", "\"userAgent\":\"" + lone + "\"").getBytes(StandardCharsets.UTF_8);
            ReceivedEvent.NotAnEvent refused = assertThrows(ReceivedEvent.NotAnEvent.class,
                    () -> ingest.admit(consumed(r, value)), lone);
            assertEquals("the event cannot be made into a log entry: a string holds a lone surrogate", refused.getMessage());
        }
        // elsewhere in the payload too: the notice version is no personal value and is not sealed, but is in the entry bytes
        byte[] inNotice = json.replace("\"version\":\"v1\"", "\"version\":\"v\\ud800\"").getBytes(StandardCharsets.UTF_8);
        assertTrue(new String(inNotice, StandardCharsets.UTF_8).contains("\\ud800"));
        assertEquals("the event cannot be made into a log entry: a string holds a lone surrogate",
                assertThrows(ReceivedEvent.NotAnEvent.class, () -> ingest.admit(consumed(r, inNotice))).getMessage());
        // a pair is a character like any other
        byte[] pair = json.replace("\"userAgent\":\"TaxaApp/5.2\"", "\"userAgent\":\"\\ud83d\\ude00\"").getBytes(StandardCharsets.UTF_8);
        assertEquals("\ud83d\ude00", ((Map<?, ?>) ingest.admit(consumed(r, pair)).consentPayload().get("evidence")).get("userAgent"));
    }

    /** An EventIngest whose appends fail with what {@code failure} returns for them (null: stored). */
    private EventIngest ingest(Function<List<Admitted>, RuntimeException> failure) {
        EventIngest ingest = new EventIngest();
        ingest.firstRetry = Duration.ofMillis(1);
        ingest.json = new ObjectMapper();
        ingest.metrics = metrics;
        ingest.log = new LogWriter() {
            @Override
            public Appended append(List<Admitted> events) {
                calls.add(events.stream().map(a -> a.event().eventId()).toList());
                RuntimeException e = failure.apply(events);
                if (e != null) {
                    throw e;
                }
                events.forEach(a -> stored.add(a.event().eventId()));
                return new Appended(events.size(), 0);
            }
        };
        ingest.deadLetters = deadLetters();
        // the dead-letter table (its own test is PoisonRecordTest, on PostgreSQL): here it only takes what it is given
        ingest.table = new io.samtykke.kit.deadletter.DeadLetterTable(null, null, "dead_letter", metrics, "test.dead.letters") {
            @Override
            public io.smallrye.mutiny.Uni<Void> keep(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, String reason) {
                return io.smallrye.mutiny.Uni.createFrom().voidItem();
            }
        };
        return ingest;
    }

    @SuppressWarnings("unchecked")
    private MutinyEmitter<byte[]> deadLetters() {
        return (MutinyEmitter<byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MutinyEmitter.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage")) {
                        letters.add((Message<?>) args[0]);
                        return Uni.createFrom().voidItem();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static ConsumerRecords<String, byte[]> batch(ConsentEvent... events) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (ConsentEvent e : events) {
            ProducerRecord<String, byte[]> r = Events.record(e);
            records.add(new ConsumerRecord<>(TOPIC, 0, records.size(), 0L, TimestampType.CREATE_TIME, -1, -1, r.key(), r.value(),
                    new RecordHeaders(r.headers().toArray()), Optional.empty()));
        }
        return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), records), Map.of());
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> r, byte[] value) {
        return new ConsumerRecord<>(TOPIC, 0, 0L, 0L, TimestampType.CREATE_TIME, -1, -1, r.key(), value,
                new RecordHeaders(r.headers().toArray()), Optional.empty());
    }

    private static List<UUID> ids(ConsentEvent... events) {
        return List.of(events).stream().map(ConsentEvent::eventId).toList();
    }

    private double counted(String outcome) {
        var counter = metrics.find("samtykke.audit.ingested").tag("outcome", outcome).counter();
        return counter == null ? 0.0 : counter.count();
    }
}
