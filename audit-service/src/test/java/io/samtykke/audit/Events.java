package io.samtykke.audit;

import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

/** Sends consent events to the real broker the way consent-service does: CloudEvents binary mode, key per subject. */
public final class Events {

    public static final String SOURCE = "/samtykke/consent-service";

    private static KafkaProducer<String, byte[]> producer;

    private Events() {
    }

    /** A consent event of {@code tenant}: the subject's {@code seq}-th change, to {@code state}. */
    public static ConsentEvent consent(String tenant, String subject, String purpose, ConsentState state, long seq) {
        return consent(tenant, subject, purpose, state, seq, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    /** The same, made by the person at {@code now}. */
    public static ConsentEvent consent(String tenant, String subject, String purpose, ConsentState state, long seq, Instant now) {
        ConsentAction action = switch (state) {
            case GRANTED -> ConsentAction.GRANT;
            case DENIED -> ConsentAction.DENY;
            case OBJECTED -> ConsentAction.OBJECT;
            default -> ConsentAction.WITHDRAW;
        };
        return new ConsentEvent(UUID.randomUUID(), tenant, subject, seq, UUID.randomUUID(), purpose, Channel.EMAIL,
                PurposeCategory.MARKETING, LegalBasis.CONSENT, action, ConsentState.NONE, state,
                new ConsentEvent.Notice("v1", "da", "a".repeat(64), null, false),
                new ConsentEvent.Evidence(new ConsentEvent.Source("taxa-app", "ios", "5.2.0", "settings"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, subject), "da", "192.0.2.0/24", "TaxaApp/5.2"),
                now, now, null);
    }

    /** The record consent-service would publish for {@code e} on the events topic. */
    public static ProducerRecord<String, byte[]> record(ConsentEvent e) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.CONSENT_EVENTS, e.partitionKey(),
                EventJson.write(e).getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.forEvent(e, SOURCE, null).forEach((k, v) -> r.headers().add(k, v));
        return r;
    }

    /** The same record on the opt-outs topic, as consent-service publishes every opt-out a second time. */
    public static ProducerRecord<String, byte[]> optOut(ConsentEvent e) {
        ProducerRecord<String, byte[]> r = record(e);
        return new ProducerRecord<>(Topics.CONSENT_OPTOUTS, null, r.key(), r.value(), r.headers());
    }

    /** A preference event as preference-service sends it (payload per the contract's preference-event schema). */
    public static ProducerRecord<String, byte[]> preference(String tenant, String subject, long version, String topic) {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String json = """
                {"eventId":"%s","tenantId":"%s","subjectId":"%s","version":%d,"preferences":{"topics":["%s"],\
                "frequencyCaps":{"EMAIL":{"max":2,"per":"WEEK"}},"timeZone":"Europe/Copenhagen"},"updatedAt":"%s"}"""
                .formatted(id, tenant, subject, version, topic, now);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.PREFERENCE_EVENTS, CloudEventHeaders.partitionKey(tenant, subject),
                json.getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.of(id, "/samtykke/preference-service", "io.samtykke.preference.updated.v1", now, null, tenant, subject,
                version, null, null).forEach((k, v) -> r.headers().add(k, v));
        return r;
    }

    /** An erasure as consent-service publishes it, on the subject events topic (or, as an opt-out, on {@code topic}). */
    public static ProducerRecord<String, byte[]> erased(String tenant, String subject, long seq, String topic) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SubjectEvent e = new SubjectEvent(UUID.randomUUID(), tenant, subject, seq,
                SubjectEventType.ERASED, null,
                new SubjectEvent.Request(UUID.randomUUID(), SubjectRequestType.ERASURE,
                        SubjectRequestStatus.COMPLETED, now, now.plus(30, ChronoUnit.DAYS), null),
                "Account deleted on the person's request",
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.AGENT, "dpo-1"), null, null, null),
                now, now);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, e.partitionKey(), EventJson.write(e).getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.forSubjectEvent(e, SOURCE, null).forEach((k, v) -> r.headers().add(k, v));
        return r;
    }

    public static ConsentEvent send(ConsentEvent e) {
        send(record(e));
        return e;
    }

    /** Sends and waits for the broker's acknowledgement. */
    public static void send(ProducerRecord<String, byte[]> record) {
        try {
            producer().send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not send to Kafka", e.getCause());
        }
    }

    private static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }
}
