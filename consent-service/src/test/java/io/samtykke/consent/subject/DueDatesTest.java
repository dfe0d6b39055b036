package io.samtykke.consent.subject;

import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.kit.problem.ProblemException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DueDatesTest {

    @ParameterizedTest(name = "received {0}, extended by {1}: due {2}")
    @CsvSource({
            "2026-01-15T10:00:00Z, 0, 2026-02-15T10:00:00Z",
            "2026-01-31T09:00:00Z, 0, 2026-02-28T09:00:00Z",   // no 31 February: the month's last day
            "2028-01-31T09:00:00Z, 0, 2028-02-29T09:00:00Z",   // a leap year
            "2026-03-31T23:59:59Z, 0, 2026-04-30T23:59:59Z",
            "2026-12-31T12:00:00Z, 0, 2027-01-31T12:00:00Z",   // across the year
            "2026-01-31T09:00:00Z, 2, 2026-04-30T09:00:00Z",   // counted from receipt: February's clamp does not shorten it
            "2026-01-31T09:00:00Z, 1, 2026-03-31T09:00:00Z",
            "2026-11-30T08:00:00Z, 2, 2027-02-28T08:00:00Z"})
    void aRequestIsDueOneCalendarMonthAfterReceiptPlusItsExtension(String received, int months, String due) {
        assertEquals(Instant.parse(due), DueDates.due(Instant.parse(received), months));
    }

    @Test
    void anOpenRequestMayBeExtendedOnceWithinItsFirstMonth() {
        Instant received = Instant.parse("2026-01-31T09:00:00Z");
        assertDoesNotThrow(() -> RequestSteps.requireExtension(SubjectRequestStatus.RECEIVED, null, received,
                Instant.parse("2026-02-28T09:00:00Z")));
        assertDoesNotThrow(() -> RequestSteps.requireExtension(SubjectRequestStatus.IN_PROGRESS, null, received,
                Instant.parse("2026-02-01T00:00:00Z")));
        ProblemException late = assertThrows(ProblemException.class, () -> RequestSteps.requireExtension(
                SubjectRequestStatus.IN_PROGRESS, null, received, Instant.parse("2026-02-28T09:00:01Z")));
        assertTrue(late.getMessage().contains("first month ended at 2026-02-28T09:00:00Z"), late.getMessage());
        ProblemException twice = assertThrows(ProblemException.class, () -> RequestSteps.requireExtension(
                SubjectRequestStatus.EXTENDED, 1, received, Instant.parse("2026-02-10T00:00:00Z")));
        assertTrue(twice.getMessage().contains("extended already"), twice.getMessage());
        assertEquals(409, assertThrows(ProblemException.class, () -> RequestSteps.requireExtension(
                SubjectRequestStatus.COMPLETED, null, received, Instant.parse("2026-02-10T00:00:00Z"))).type().status());
    }

    @Test
    void closedRequestsTakeNoStepsAndExtendedIsReachedOnlyByExtending() {
        assertDoesNotThrow(() -> RequestSteps.requireStatusChange(SubjectRequestStatus.RECEIVED, SubjectRequestStatus.IN_PROGRESS));
        assertDoesNotThrow(() -> RequestSteps.requireStatusChange(SubjectRequestStatus.RECEIVED, SubjectRequestStatus.REJECTED));
        assertDoesNotThrow(() -> RequestSteps.requireStatusChange(SubjectRequestStatus.EXTENDED, SubjectRequestStatus.COMPLETED));
        for (SubjectRequestStatus closed : new SubjectRequestStatus[]{SubjectRequestStatus.COMPLETED, SubjectRequestStatus.REJECTED}) {
            for (SubjectRequestStatus to : SubjectRequestStatus.values()) {
                assertThrows(ProblemException.class, () -> RequestSteps.requireStatusChange(closed, to), closed + " -> " + to);
            }
        }
        assertThrows(ProblemException.class, () -> RequestSteps.requireStatusChange(SubjectRequestStatus.IN_PROGRESS,
                SubjectRequestStatus.EXTENDED));
        assertThrows(ProblemException.class, () -> RequestSteps.requireStatusChange(SubjectRequestStatus.IN_PROGRESS,
                SubjectRequestStatus.IN_PROGRESS));
        assertThrows(ProblemException.class, () -> RequestSteps.requireStatusChange(SubjectRequestStatus.EXTENDED,
                SubjectRequestStatus.IN_PROGRESS));
    }
}
