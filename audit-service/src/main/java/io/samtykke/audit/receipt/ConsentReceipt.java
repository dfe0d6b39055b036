package io.samtykke.audit.receipt;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/**
 * A consent receipt: the fields of the Kantara Consent Receipt 1.1 where they apply, the additions of
 * ISO/IEC TS 27560 (notice with its content hash, legal basis, the consent event, the record's own
 * identity and schema), and the proof that the record is in the tenant's signed log.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConsentReceipt(
        @Schema(description = "The Kantara specification version these fields follow")
        String version,
        String jurisdiction,
        @Schema(description = "When the person made the choice (RFC 3339)")
        String consentTimestamp,
        @Schema(description = "Where and how the choice was collected, e.g. settings-screen via taxa-app (ios 5.2.0)")
        String collectionMethod,
        @Schema(description = "The record's event id")
        UUID consentReceiptID,
        @Schema(description = "The verifier key of the log that holds the record")
        String publicKey,
        String language,
        @Schema(description = "The subject id; \"erased\" once the subject's key is destroyed")
        String piiPrincipalId,
        List<Controller> piiControllers,
        @Schema(description = "The URL of the notice shown, when it has one")
        String policyUrl,
        List<Service> services,
        @Schema(description = "GDPR Art. 6(1) basis, or the ePrivacy existing-customer exception")
        String legalBasis,
        Notice notice,
        Event event,
        Evidence evidence,
        Record record,
        @Schema(description = "Absent until the record is in a checkpoint (within a second of its arrival); then ask again")
        Proof proof) {

    public record Controller(String piiController) {
    }

    public record Service(String service, List<Purpose> purposes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Purpose(String purpose, List<String> purposeCategory, String consentType, String channel,
                          boolean primaryPurpose, String termination) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Notice(String version, String language, String contentSha256, String url, Boolean material) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(String type, String action, String previousState, String state, String occurredAt, String recordedAt,
                        String expiresAt) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Evidence(Object source, Object actor, String ipPrefix, String userAgent,
                           @Schema(description = "A confirmed double opt-in: the confirmation link's token id (never the "
                                   + "token), the pending record it confirmed, when it was sent and when it was confirmed")
                           Object confirmation) {
    }

    public record Record(String tenant, long seq, String schema, String receivedAt, boolean erased) {
    }

    public record Proof(
            @Schema(description = "The log's origin")
            String origin,
            long leafIndex,
            long treeSize,
            @Schema(description = "The canonical entry bytes, base64")
            String entry,
            String leafHash,
            @Schema(description = "RFC 9162 inclusion proof of leafIndex in the tree of treeSize, base64 hashes")
            List<String> inclusionProof,
            @Schema(description = "The signed checkpoint of treeSize (C2SP signed note)")
            String checkpoint) {
    }
}
