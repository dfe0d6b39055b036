package io.samtykke.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * Payload of {@value #TYPE} on {@link Topics#CONSENT_CONFIRMATIONS}: a double opt-in waits for the person to confirm;
 * the tenant's sender mails or texts them {@code confirmationUrl}. JSON Schema: {@code schemas/confirmation-request.v1.json}.
 * The token is a secret of the person until it is used or expires: keep it out of logs and archives.
 *
 * @param eventId         the CloudEvents id; consumers dedupe on it
 * @param subjectSeq      the pending record's subject sequence number
 * @param pendingEventId  the PENDING_CONFIRMATION record this request confirms (a newer grant supersedes it)
 * @param tokenId         names the token in the confirmed record's evidence, without revealing it
 * @param token           the single-use secret; only its SHA-256 is stored by consent-service
 * @param confirmationUrl the link to send: a page whose button POSTs to consent-service's confirm endpoint
 * @param language        the language of the notice the person was shown, for the message text; null when unknown
 */
public record ConfirmationRequest(
        UUID eventId,
        String tenantId,
        String subjectId,
        long subjectSeq,
        String purpose,
        Channel channel,
        UUID pendingEventId,
        UUID tokenId,
        String token,
        String confirmationUrl,
        String language,
        Instant requestedAt,
        Instant expiresAt) implements PersonEvent {

    /** CloudEvents {@code type} of every record on {@link Topics#CONSENT_CONFIRMATIONS}. */
    public static final String TYPE = "io.samtykke.consent.confirmation-requested.v1";
}
