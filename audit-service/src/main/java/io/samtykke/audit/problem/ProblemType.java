package io.samtykke.audit.problem;

/** The stable problem {@code type}s this service answers with (RFC 9457). */
public enum ProblemType {
    VALIDATION("validation", 400, "The request is not valid"),
    MISSING_TENANT("missing-tenant", 403, "The token carries no tenant claim"),
    NOT_FOUND("not-found", 404, "Not found"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    STILL_REFUSED("still-refused", 422, "The record is still refused"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Not allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "The request body is too large"),
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
