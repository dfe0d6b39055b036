package io.samtykke.consent.problem;

import io.samtykke.kit.problem.ProblemType;

/** The problem types only consent-service answers with; the common ones are the kit's {@code CommonProblem}. */
public enum ConsentProblem implements ProblemType {
    UNKNOWN_PURPOSE("unknown-purpose", 422, "Unknown or inactive purpose"),
    UNKNOWN_NOTICE("unknown-notice", 422, "Unknown or unpublished notice version"),
    ILLEGAL_TRANSITION("illegal-transition", 409, "This change is not allowed from the current state"),
    FUTURE_TIMESTAMP("future-timestamp", 422, "occurredAt is in the future"),
    PRECONDITION_FAILED("precondition-failed", 412, "The subject changed since the given ETag"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", 422, "Idempotency-Key was used with a different request"),
    IDEMPOTENCY_IN_PROGRESS("idempotency-in-progress", 409, "A request with this Idempotency-Key is still running"),
    NOTICE_CONFLICT("notice-conflict", 409, "This notice version is already published with other content");

    private final String slug;
    private final int status;
    private final String title;

    ConsentProblem(String slug, int status, String title) {
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
