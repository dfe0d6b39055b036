package io.samtykke.consent.subject;

import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.kit.problem.ProblemException;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Which step a data subject request may take from where it stands: RECEIVED → IN_PROGRESS → COMPLETED or REJECTED
 * (either also straight from RECEIVED); one extension, by one or two months, decided before the first month is over
 * (the person must be told within it, Art. 12(3)), after which the request is EXTENDED until it is closed. Closed
 * requests take no more steps. Plain Java.
 */
public final class RequestSteps {

    private static final Map<SubjectRequestStatus, Set<SubjectRequestStatus>> NEXT = Map.of(
            SubjectRequestStatus.RECEIVED, Set.of(SubjectRequestStatus.IN_PROGRESS, SubjectRequestStatus.COMPLETED,
                    SubjectRequestStatus.REJECTED),
            SubjectRequestStatus.IN_PROGRESS, Set.of(SubjectRequestStatus.COMPLETED, SubjectRequestStatus.REJECTED),
            SubjectRequestStatus.EXTENDED, Set.of(SubjectRequestStatus.COMPLETED, SubjectRequestStatus.REJECTED),
            SubjectRequestStatus.COMPLETED, Set.of(),
            SubjectRequestStatus.REJECTED, Set.of());

    private RequestSteps() {
    }

    /** Refuses a status change the request cannot take (409 illegal-transition). EXTENDED is reached by extending only. */
    public static void requireStatusChange(SubjectRequestStatus from, SubjectRequestStatus to) {
        if (!NEXT.get(from).contains(to)) {
            throw ProblemException.at(ConsentProblem.ILLEGAL_TRANSITION, "/status", "a request that is " + from
                    + " cannot become " + to + (to == SubjectRequestStatus.EXTENDED ? " this way; POST its extension" : ""));
        }
    }

    /** Refuses an extension that is not allowed: a closed request, a second extension, or one after the first month. */
    public static void requireExtension(SubjectRequestStatus status, Integer alreadyExtended, Instant receivedAt, Instant now) {
        if (!status.isOpen()) {
            throw ProblemException.at(ConsentProblem.ILLEGAL_TRANSITION, "/months", "a request that is " + status
                    + " cannot be extended");
        }
        if (alreadyExtended != null) {
            throw ProblemException.at(ConsentProblem.ILLEGAL_TRANSITION, "/months", "the request was extended already, by "
                    + alreadyExtended + " month(s); Art. 12(3) allows one extension of at most two months");
        }
        Instant firstDue = DueDates.due(receivedAt, 0);
        if (now.isAfter(firstDue)) {
            throw ProblemException.at(ConsentProblem.ILLEGAL_TRANSITION, "/months", "the first month ended at " + firstDue
                    + "; an extension must be decided (and the person told) within it");
        }
    }
}
