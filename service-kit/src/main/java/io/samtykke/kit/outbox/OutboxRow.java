package io.samtykke.kit.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One unpublished row of a service's outbox table, as the relay reads it. */
public record OutboxRow(long id, int slot, String tenantId, String subjectId, long subjectSeq, UUID eventId,
                        String eventType, String payload, String traceparent, OffsetDateTime createdAt) {

    /** The rows of one subject are published in id order; this is what "one subject" means. */
    String subjectKey() {
        return tenantId + "/" + subjectId;
    }
}
