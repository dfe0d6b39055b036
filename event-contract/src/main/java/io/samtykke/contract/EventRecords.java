package io.samtykke.contract;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Kafka records of one event of a person, the one mapping for consent-service's outbox relay and for the tests that
 * publish such events in its place. A consent event: always the events topic, the opt-outs topic when it is an opt-out,
 * and a snapshot on the compacted state topic. A subject event: the subject events topic, and the opt-outs topic for
 * the objection. CloudEvents binary mode, key per person.
 */
public final class EventRecords {

    private EventRecords() {
    }

    public static List<ProducerRecord<String, byte[]>> of(ConsentEvent e, String source, String traceparent) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(3);
        addWithOptOut(records, Topics.CONSENT_EVENTS, e.partitionKey(), EventJson.write(e), e.eventType(),
                CloudEventHeaders.forEvent(e, source, traceparent));
        ConsentStateSnapshot snapshot = new ConsentStateSnapshot(e.tenantId(), e.subjectId(), e.purpose(), e.state(),
                e.subjectSeq(), e.eventId(), e.notice() == null ? null : e.notice().version(), e.recordedAt(), e.expiresAt());
        // derived from the event id, so a re-sent snapshot carries the same id as the first
        UUID snapshotId = UUID.nameUUIDFromBytes(("state:" + e.eventId()).getBytes(StandardCharsets.UTF_8));
        records.add(record(Topics.CONSENT_STATE, snapshot.key(), EventJson.write(snapshot).getBytes(StandardCharsets.UTF_8),
                CloudEventHeaders.forSnapshot(snapshot, snapshotId, source, e.recordedAt(), traceparent)));
        return records;
    }

    public static List<ProducerRecord<String, byte[]>> of(SubjectEvent e, String source, String traceparent) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(2);
        addWithOptOut(records, Topics.SUBJECT_EVENTS, e.partitionKey(), EventJson.write(e), e.change(),
                CloudEventHeaders.forSubjectEvent(e, source, traceparent));
        return records;
    }

    /** The event on its own topic, and the same record on the opt-outs topic when its type is an opt-out. */
    private static void addWithOptOut(List<ProducerRecord<String, byte[]>> records, String topic, String key, String json,
                                      EventType type, Map<String, byte[]> headers) {
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        records.add(record(topic, key, payload, headers));
        if (type.isOptOut()) {
            records.add(record(Topics.CONSENT_OPTOUTS, key, payload, headers));
        }
    }

    /** One record with the given headers. */
    public static ProducerRecord<String, byte[]> record(String topic, String key, byte[] value, Map<String, byte[]> headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        headers.forEach((k, v) -> r.headers().add(k, v));
        return r;
    }
}
