package io.samtykke.audit.entry;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One entry of a tenant's audit log as an auditor reads it: the readable values, opened with the
 * subject's key, beside the canonical entry bytes they come from. Also one line of an NDJSON export
 * ({@link io.samtykke.audit.verifier.ExportFormat}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(
        @Schema(description = "Position in the tenant's log and Merkle leaf index: dense, from 0, in arrival order")
        long seq,
        @Schema(description = "The CloudEvents id (ce_id)")
        UUID eventId,
        @Schema(description = "The CloudEvents type, e.g. io.samtykke.consent.granted.v1")
        String type,
        @Schema(description = "The subject id; \"erased\" once the subject's key is destroyed")
        String subjectId,
        @Schema(description = "The purpose key (ce_subject); absent for events about no purpose")
        String purpose,
        @Schema(description = "When the event happened (ce_time)")
        Instant eventTime,
        @Schema(description = "When audit-service stored it")
        Instant receivedAt,
        @Schema(description = "The event payload; personal values read \"erased\" once the subject's key is destroyed",
                type = SchemaType.OBJECT)
        Object payload,
        @Schema(description = "True when personal values of this entry were erased (crypto-shredded)")
        boolean erased,
        @Schema(description = "The canonical entry bytes, base64: SHA-256(0x00 || these bytes) is the leaf hash")
        String entry,
        @Schema(description = "The leaf hash, base64")
        String leafHash,
        @Schema(description = "Only in filtered exports: the entry's inclusion proof against the export's tree size")
        List<String> inclusionProof) {

    public AuditEntry withInclusionProof(List<String> proof) {
        return new AuditEntry(seq, eventId, type, subjectId, purpose, eventTime, receivedAt, payload, erased, entry, leafHash, proof);
    }
}
