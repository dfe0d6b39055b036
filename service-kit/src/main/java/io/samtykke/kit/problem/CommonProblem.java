package io.samtykke.kit.problem;

/** The problem types every service answers with the same meaning; services add their own through {@link ProblemType}. */
public enum CommonProblem implements ProblemType {
    VALIDATION("validation", 400, "The request is not valid"),
    MALFORMED_JSON("malformed-json", 400, "The request body is not valid JSON"),
    TOO_MANY_ITEMS("too-many-items", 413, "Too many items in one request"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "The request body is too large"),
    FORBIDDEN_SUBJECT("forbidden-subject", 403, "A subject token may only touch its own data"),
    MISSING_TENANT("missing-tenant", 403, "The token carries no tenant claim"),
    NOT_FOUND("not-found", 404, "Not found"),
    UNAUTHORIZED("unauthorized", 401, "Authentication required"),
    FORBIDDEN("forbidden", 403, "Not allowed"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    METHOD_NOT_ALLOWED("method-not-allowed", 405, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", 406, "Not acceptable"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    STILL_REFUSED("still-refused", 422, "The record is still refused"),
    INTERNAL("internal", 500, "Internal error");

    private final String slug;
    private final int status;
    private final String title;

    CommonProblem(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    @Override
    public String slug() {
        return slug;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String title() {
        return title;
    }
}
