package io.samtykke.consent.outbox;

import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Maps one stored event to its Kafka records. A consent event: always the events topic, the opt-outs topic when it is
 * an opt-out, and the compacted state topic. A subject event: the subject events topic, and the opt-outs topic for the
 * objection. CloudEvents binary mode, key per subject.
 */
public final class KafkaRecords {

    public static final String SOURCE = "/samtykke/consent-service";

    private KafkaRecords() {
    }

    public static List<ProducerRecord<String, byte[]>> of(ConsentEvent e, String traceparent) {
        byte[] payload = EventJson.write(e).getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> headers = CloudEventHeaders.forEvent(e, SOURCE, traceparent);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(3);
        records.add(record(Topics.CONSENT_EVENTS, e.partitionKey(), payload, headers));
        if (e.eventType().isOptOut()) {
            records.add(record(Topics.CONSENT_OPTOUTS, e.partitionKey(), payload, headers));
        }
        ConsentStateSnapshot snapshot = new ConsentStateSnapshot(e.tenantId(), e.subjectId(), e.purpose(), e.state(),
                e.subjectSeq(), e.eventId(), e.notice() == null ? null : e.notice().version(), e.recordedAt(), e.expiresAt());
        // derived from the event id, so a re-sent snapshot carries the same id as the first
        UUID snapshotId = UUID.nameUUIDFromBytes(("state:" + e.eventId()).getBytes(StandardCharsets.UTF_8));
        records.add(record(Topics.CONSENT_STATE, snapshot.key(), EventJson.write(snapshot).getBytes(StandardCharsets.UTF_8),
                CloudEventHeaders.forSnapshot(snapshot, snapshotId, SOURCE, e.recordedAt(), traceparent)));
        return records;
    }

    /** A double opt-in's confirmation request (token and link filled in), on the confirmations topic only. */
    public static ProducerRecord<String, byte[]> of(ConfirmationRequest request, String traceparent) {
        return record(Topics.CONSENT_CONFIRMATIONS, request.partitionKey(),
                EventJson.write(request).getBytes(StandardCharsets.UTF_8),
                CloudEventHeaders.forConfirmationRequest(request, SOURCE, traceparent));
    }

    /** A subject event: always the subject events topic, and the opt-outs topic when it is one (the objection). */
    public static List<ProducerRecord<String, byte[]>> of(SubjectEvent e, String traceparent) {
        byte[] payload = EventJson.write(e).getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> headers = CloudEventHeaders.forSubjectEvent(e, SOURCE, traceparent);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(2);
        records.add(record(Topics.SUBJECT_EVENTS, e.partitionKey(), payload, headers));
        if (e.change().isOptOut()) {
            records.add(record(Topics.CONSENT_OPTOUTS, e.partitionKey(), payload, headers));
        }
        return records;
    }

    /** The records of one outbox row, by its event type: a consent event or a subject event. */
    public static List<ProducerRecord<String, byte[]>> ofRow(String eventType, String payload, String traceparent) {
        return SubjectEventType.isSubjectType(eventType)
                ? of(EventJson.read(payload, SubjectEvent.class), traceparent)
                : of(EventJson.read(payload, ConsentEvent.class), traceparent);
    }

    private static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value, Map<String, byte[]> headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> r.headers().add(k, v));
        return r;
    }
}
