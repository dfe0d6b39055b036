package io.samtykke.consent.outbox;

import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.EventRecords;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Maps one stored outbox row to its Kafka records, as this service's ({@link #SOURCE}): a consent or subject event as
 * event-contract's {@link EventRecords} maps it, a confirmation request on the confirmations topic only.
 */
public final class KafkaRecords {

    public static final String SOURCE = "/samtykke/consent-service";

    private KafkaRecords() {
    }

    /** A double opt-in's confirmation request (token and link filled in), on the confirmations topic only. */
    public static ProducerRecord<String, byte[]> of(ConfirmationRequest request, String traceparent) {
        return EventRecords.record(Topics.CONSENT_CONFIRMATIONS, request.partitionKey(),
                EventJson.write(request).getBytes(StandardCharsets.UTF_8),
                CloudEventHeaders.forConfirmationRequest(request, SOURCE, traceparent));
    }

    /** The records of one outbox row, by its event type: a consent event or a subject event. */
    public static List<ProducerRecord<String, byte[]>> ofRow(String eventType, String payload, String traceparent) {
        return SubjectEventType.isSubjectType(eventType)
                ? EventRecords.of(EventJson.read(payload, SubjectEvent.class), SOURCE, traceparent)
                : EventRecords.of(EventJson.read(payload, ConsentEvent.class), SOURCE, traceparent);
    }
}
