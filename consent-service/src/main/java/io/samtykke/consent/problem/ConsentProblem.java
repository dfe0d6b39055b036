package io.samtykke.consent.problem;

import io.samtykke.kit.problem.ProblemType;

/** The problem types only consent-service answers with; the common ones are the kit's {@code CommonProblem}. */
public final class ConsentProblem {

    public static final ProblemType UNKNOWN_PURPOSE =
            new ProblemType("unknown-purpose", 422, "Unknown or inactive purpose");
    public static final ProblemType UNKNOWN_NOTICE =
            new ProblemType("unknown-notice", 422, "Unknown or unpublished notice version");
    public static final ProblemType ILLEGAL_TRANSITION =
            new ProblemType("illegal-transition", 409, "This change is not allowed from the current state");
    public static final ProblemType FUTURE_TIMESTAMP =
            new ProblemType("future-timestamp", 422, "occurredAt is in the future");
    public static final ProblemType PRECONDITION_FAILED =
            new ProblemType("precondition-failed", 412, "The subject changed since the given ETag");
    public static final ProblemType IDEMPOTENCY_KEY_REUSED =
            new ProblemType("idempotency-key-reused", 422, "Idempotency-Key was used with a different request");
    public static final ProblemType IDEMPOTENCY_IN_PROGRESS =
            new ProblemType("idempotency-in-progress", 409, "A request with this Idempotency-Key is still running");
    public static final ProblemType NOTICE_CONFLICT =
            new ProblemType("notice-conflict", 409, "This notice version is already published with other content");
    public static final ProblemType CONFIRMATION_REQUIRED =
            new ProblemType("confirmation-required", 422,
                    "A double opt-in is confirmed only by the person, through the link sent to them");
    public static final ProblemType UNKNOWN_CONFIRMATION =
            new ProblemType("unknown-confirmation", 404, "No such confirmation link");
    public static final ProblemType CONFIRMATION_USED =
            new ProblemType("confirmation-used", 409, "This confirmation link was already used");
    public static final ProblemType CONFIRMATION_EXPIRED =
            new ProblemType("confirmation-expired", 410, "This confirmation link has expired");
    public static final ProblemType CONFIRMATION_SUPERSEDED =
            new ProblemType("confirmation-superseded", 409,
                    "The consent changed since this confirmation link was sent; it confirms nothing now");
    public static final ProblemType EXPORT_NOT_READY =
            new ProblemType("export-not-ready", 409, "The export is not complete yet");

    /** The person was erased (GDPR Art. 17): nothing may be written about their subject id or their erased identifiers. */
    public static final ProblemType SUBJECT_ERASED =
            new ProblemType("subject-erased", 409, "The person was erased; nothing is recorded about them again");

    private ConsentProblem() {
    }
}
