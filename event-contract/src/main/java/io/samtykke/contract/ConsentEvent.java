package io.samtykke.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * Payload of every event on {@link Topics#CONSENT_EVENTS} (and of the opt-outs among them on
 * {@link Topics#CONSENT_OPTOUTS}). JSON Schema: {@code schemas/consent-event.v1.json}.
 *
 * @param eventId      the CloudEvents id; consumers dedupe on it
 * @param subjectSeq   per tenant × subject, dense, starting at 1: consumers detect gaps and reordering
 * @param requestId    one id for all changes written by one atomic request (a banner's toggles)
 * @param expiresAt    when a grant lapses (the purpose's validity), else null
 */
public record ConsentEvent(
        UUID eventId,
        String tenantId,
        String subjectId,
        long subjectSeq,
        UUID requestId,
        String purpose,
        Channel channel,
        PurposeCategory category,
        LegalBasis legalBasis,
        ConsentAction action,
        ConsentState previousState,
        ConsentState state,
        Notice notice,
        Evidence evidence,
        Instant occurredAt,
        Instant recordedAt,
        Instant expiresAt) implements PersonEvent {

    /** The notice version shown to the person when the change was made; null when none applies (e.g. expiry). */
    public record Notice(String version, String language, String contentSha256, String url, boolean material) {
    }

    /**
     * How the change was collected. IP is already truncated (/24 IPv4, /48 IPv6). {@code confirmation} is present
     * only on the grant that confirms a double opt-in: the proof that the person opened the link sent to them.
     */
    public record Evidence(Source source, Actor actor, String language, String ipPrefix, String userAgent,
                           Confirmation confirmation) {

        /** Evidence of any change but a double opt-in confirmation. */
        public Evidence(Source source, Actor actor, String language, String ipPrefix, String userAgent) {
            this(source, actor, language, ipPrefix, userAgent, null);
        }
    }

    /**
     * The double opt-in proof: which confirmation request (token id, never the token) the person answered, for which
     * pending record, when it was sent and when it was answered.
     */
    public record Confirmation(UUID tokenId, UUID pendingEventId, Instant requestedAt, Instant confirmedAt) {
    }

    public record Source(String appId, String platform, String appVersion, String collectionPoint) {
    }

    public record Actor(ActorType type, String id) {
    }

    public ConsentEventType eventType() {
        return ConsentEventType.forState(state);
    }
}
