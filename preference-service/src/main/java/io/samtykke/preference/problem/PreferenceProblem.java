package io.samtykke.preference.problem;

import io.samtykke.kit.problem.ProblemType;

/** The problem types only preference-service answers with; the common ones are the kit's {@code CommonProblem}. */
public final class PreferenceProblem {

    public static final ProblemType PRECONDITION_FAILED =
            new ProblemType("precondition-failed", 412, "The preferences changed since the given ETag");
    public static final ProblemType INVALID_LINK = new ProblemType("invalid-link", 403, "The link is not valid");
    public static final ProblemType EXPIRED_LINK = new ProblemType("expired-link", 410, "The link has expired");
    public static final ProblemType CONSENT_SERVICE_UNAVAILABLE =
            new ProblemType("consent-service-unavailable", 503, "consent-service could not record the change");

    private PreferenceProblem() {
    }
}
