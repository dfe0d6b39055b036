package io.samtykke.preference;

import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventRecords;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes consent events on the real broker exactly as consent-service's outbox relay does — the events topic,
 * the opt-outs topic for opt-outs, a snapshot on the compacted state topic — with a dense subjectseq per person,
 * so tests feed preference-service's projection through its real input.
 */
public final class ConsentLedger {

    private static final String SOURCE = "/samtykke/consent-service";
    private static final Map<String, AtomicLong> SEQ = new ConcurrentHashMap<>();
    private static KafkaProducer<String, byte[]> producer;

    private ConsentLedger() {
    }

    public static ConsentEvent record(String tenant, String subjectId, FakeConsentService.Purpose p, ConsentAction action,
                                      ConsentState state, Instant expiresAt) {
        long seq = SEQ.computeIfAbsent(tenant + "/" + subjectId, k -> new AtomicLong()).incrementAndGet();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        ConsentEvent e = new ConsentEvent(UUID.randomUUID(), tenant, subjectId, seq, UUID.randomUUID(), p.key(), p.channel(),
                p.category(), p.legalBasis(), action, ConsentState.NONE, state,
                action == ConsentAction.GRANT ? new ConsentEvent.Notice("2025-01", "da", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null, false) : null,
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SUBJECT, subjectId), "da", null, null),
                now, now, expiresAt);
        publish(e);
        return e;
    }

    /** Publishes the three records of a stored event, the way consent-service's outbox relay maps them. */
    public static void publish(ConsentEvent e) {
        EventRecords.of(e, SOURCE, null).forEach(ConsentLedger::send);
        producer().flush();
    }

    private static final Map<String, AtomicLong> SUBJECT_SEQ = new ConcurrentHashMap<>();

    /**
     * A subject event (objection, restriction, their end) as consent-service publishes it: the subject events topic (and
     * the opt-outs topic for the objection), numbered by the person's own subject-event sequence.
     */
    public static SubjectEvent recordSubject(String tenant, String subjectId, SubjectEventType change) {
        long seq = SUBJECT_SEQ.computeIfAbsent(tenant + "/" + subjectId, k -> new AtomicLong()).incrementAndGet();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean objection = change == SubjectEventType.OBJECTED || change == SubjectEventType.OBJECTION_WITHDRAWN;
        boolean restriction = change == SubjectEventType.RESTRICTED || change == SubjectEventType.RESTRICTION_LIFTED;
        SubjectEvent e = new SubjectEvent(UUID.randomUUID(), tenant, subjectId, seq, change,
                objection ? SubjectEvent.Scope.DIRECT_MARKETING : null, null, restriction ? "the person contests their data" : null,
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SUBJECT, subjectId), null, null, null), now, now);
        publish(e);
        return e;
    }

    /** The export-requested event of an ACCESS request (started), as consent-service publishes it. */
    public static SubjectEvent recordExportRequest(String tenant, String subjectId, UUID requestId) {
        long seq = SUBJECT_SEQ.computeIfAbsent(tenant + "/" + subjectId, k -> new AtomicLong()).incrementAndGet();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        SubjectEvent e = new SubjectEvent(UUID.randomUUID(), tenant, subjectId, seq, SubjectEventType.EXPORT_REQUESTED, null,
                new SubjectEvent.Request(requestId, io.samtykke.contract.SubjectRequestType.ACCESS,
                        io.samtykke.contract.SubjectRequestStatus.IN_PROGRESS, now, now.plus(java.time.Duration.ofDays(30)), null),
                null, new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.AGENT, "dpo"), null, null, null), now, now);
        publish(e);
        return e;
    }

    /** Publishes a subject event's records, the way consent-service's outbox relay maps them (again, for a redelivery). */
    public static void publish(SubjectEvent e) {
        EventRecords.of(e, SOURCE, null).forEach(ConsentLedger::send);
        producer().flush();
    }

    /** Sends one raw record to the events topic, for tests of what the projection does with broken input. */
    public static void sendRaw(String key, byte[] value, Map<String, byte[]> headers) {
        send(EventRecords.record(Topics.CONSENT_EVENTS, key, value, headers));
        producer().flush();
    }

    private static void send(ProducerRecord<String, byte[]> r) {
        try {
            producer().send(r).get();
        } catch (InterruptedException | ExecutionException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

}
