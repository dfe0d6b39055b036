package io.samtykke.consent.problem;

/** The stable problem {@code type}s this service answers with (RFC 9457). */
public enum ProblemType {
    VALIDATION("validation", 400, "The request is not valid"),
    MALFORMED_JSON("malformed-json", 400, "The request body is not valid JSON"),
    UNKNOWN_PURPOSE("unknown-purpose", 422, "Unknown or inactive purpose"),
    UNKNOWN_NOTICE("unknown-notice", 422, "Unknown or unpublished notice version"),
    ILLEGAL_TRANSITION("illegal-transition", 409, "This change is not allowed from the current state"),
    FUTURE_TIMESTAMP("future-timestamp", 422, "occurredAt is in the future"),
    TOO_MANY_ITEMS("too-many-items", 413, "Too many items in one request"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "The request body is too large"),
    PRECONDITION_FAILED("precondition-failed", 412, "The subject changed since the given ETag"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency-Key was used with a different request"),
    IDEMPOTENCY_IN_PROGRESS("idempotency-in-progress", 409, "A request with this Idempotency-Key is still running"),
    NOTICE_CONFLICT("notice-conflict", 409, "This notice version is already published with other content"),
    FORBIDDEN_SUBJECT("forbidden-subject", 403, "A subject token may only touch its own data"),
    MISSING_TENANT("missing-tenant", 403, "The token carries no tenant claim"),
    NOT_FOUND("not-found", 404, "Not found"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Not allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    INTERNAL("internal", 500, "Internal error");

    public static final String BASE = "https://samtykke.io/problems/";

    private final String slug;
    private final int status;
    private final String title;

    ProblemType(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public String uri() {
        return BASE + slug;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}
