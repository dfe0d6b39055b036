package io.samtykke.consent.record;

import io.samtykke.kit.security.Caller;

import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Context of one write that does not come from the body. {@code confirmation} is set only by the confirm endpoint,
 * after it checked the person's confirmation token: it is what allows a CONFIRM.
 */
public record WriteContext(Caller caller, String idempotencyKey, String ifMatch, String remoteIp, String userAgent,
                           String traceparent, ConfirmationProof confirmation) {

    /** The checked confirmation token: which request it answers, for which pending record, issued when. */
    public record ConfirmationProof(UUID tokenId, UUID pendingEventId, Instant requestedAt) {
    }

    public WriteContext(Caller caller, String idempotencyKey, String ifMatch, String remoteIp, String userAgent,
                        String traceparent) {
        this(caller, idempotencyKey, ifMatch, remoteIp, userAgent, traceparent, null);
    }

    /** W3C trace context: version 00, 32-hex trace id, 16-hex parent id, 2-hex flags. */
    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    public WriteContext(Caller caller, String idempotencyKey, String ifMatch, String remoteIp, String userAgent) {
        this(caller, idempotencyKey, ifMatch, remoteIp, userAgent, null, null);
    }

    /** The caller's trace context, carried to Kafka as ce_traceparent; malformed values are dropped. */
    String validTraceparent() {
        return validTraceparent(traceparent);
    }

    /** {@code traceparent} when it is a well-formed W3C trace context, else null. */
    public static String validTraceparent(String traceparent) {
        return traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
    }
}
