package io.samtykke.kit.problem;


/** The problem types every service answers with the same meaning; services add their own next to their code. */
public final class CommonProblem {

    public static final ProblemType VALIDATION = new ProblemType("validation", 400, "The request is not valid");
    public static final ProblemType MALFORMED_JSON =
            new ProblemType("malformed-json", 400, "The request body is not valid JSON");
    public static final ProblemType TOO_MANY_ITEMS =
            new ProblemType("too-many-items", 413, "Too many items in one request");
    public static final ProblemType PAYLOAD_TOO_LARGE =
            new ProblemType("payload-too-large", 413, "The request body is too large");
    public static final ProblemType FORBIDDEN_SUBJECT =
            new ProblemType("forbidden-subject", 403, "A subject token may only touch its own data");
    public static final ProblemType MISSING_TENANT =
            new ProblemType("missing-tenant", 403, "The token carries no tenant claim");
    public static final ProblemType NOT_FOUND = new ProblemType("not-found", 404, "Not found");
    public static final ProblemType UNAUTHORIZED = new ProblemType("unauthorized", 401, "Authentication required");
    public static final ProblemType FORBIDDEN = new ProblemType("forbidden", 403, "Not allowed");
    public static final ProblemType UNSUPPORTED_MEDIA_TYPE =
            new ProblemType("unsupported-media-type", 415, "Unsupported media type");
    public static final ProblemType METHOD_NOT_ALLOWED =
            new ProblemType("method-not-allowed", 405, "Method not allowed");
    public static final ProblemType NOT_ACCEPTABLE = new ProblemType("not-acceptable", 406, "Not acceptable");
    public static final ProblemType RATE_LIMITED = new ProblemType("rate-limited", 429, "Too many requests");
    public static final ProblemType STILL_REFUSED =
            new ProblemType("still-refused", 422, "The record is still refused");
    public static final ProblemType INTERNAL = new ProblemType("internal", 500, "Internal error");

    private CommonProblem() {
    }
}
