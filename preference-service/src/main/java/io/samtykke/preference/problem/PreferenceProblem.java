package io.samtykke.preference.problem;

import io.samtykke.kit.problem.ProblemType;

/** The problem types only preference-service answers with; the common ones are the kit's {@code CommonProblem}. */
public enum PreferenceProblem implements ProblemType {
    PRECONDITION_FAILED("precondition-failed", 412, "The preferences changed since the given ETag"),
    INVALID_LINK("invalid-link", 403, "The link is not valid"),
    EXPIRED_LINK("expired-link", 410, "The link has expired"),
    CONSENT_SERVICE_UNAVAILABLE("consent-service-unavailable", 503, "consent-service could not record the change");

    private final String slug;
    private final int status;
    private final String title;

    PreferenceProblem(String slug, int status, String title) {
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
