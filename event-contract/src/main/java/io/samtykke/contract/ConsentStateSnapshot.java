package io.samtykke.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * Value on the compacted {@link Topics#CONSENT_STATE} topic, keyed {@code tenantId/subjectId/purpose}:
 * the latest state of one subject × purpose. JSON Schema: {@code schemas/consent-state.v1.json}.
 */
public record ConsentStateSnapshot(
        String tenantId,
        String subjectId,
        String purpose,
        ConsentState state,
        long subjectSeq,
        UUID eventId,
        String noticeVersion,
        Instant updatedAt,
        Instant expiresAt) {

    /** CloudEvents {@code type} of the records on {@link Topics#CONSENT_STATE}. */
    public static final String TYPE = "io.samtykke.consent.state.v1";

    /** The Kafka record key (and {@code partitionkey}): {@code tenantId/subjectId/purpose}. */
    public String key() {
        return tenantId + "/" + subjectId + "/" + purpose;
    }
}
