package io.samtykke.audit.entry;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/** One entry of a tenant's audit log, as an auditor reads it. */
public record AuditEntry(
        @Schema(description = "Position in the tenant's log: dense, from 0, in arrival order")
        long seq,
        @Schema(description = "The CloudEvents id (ce_id)")
        UUID eventId,
        @Schema(description = "The CloudEvents type, e.g. io.samtykke.consent.granted.v1")
        String type,
        String subjectId,
        @Schema(description = "The purpose key (ce_subject); absent for events about no purpose")
        String purpose,
        @Schema(description = "When the event happened (ce_time)")
        Instant eventTime,
        @Schema(description = "When audit-service stored it")
        Instant receivedAt,
        @Schema(description = "The event payload as received", type = SchemaType.OBJECT)
        JsonNode payload) {
}
