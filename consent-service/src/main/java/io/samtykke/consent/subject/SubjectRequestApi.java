package io.samtykke.consent.subject;

import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of data subject requests. */
public final class SubjectRequestApi {

    private SubjectRequestApi() {
    }

    @Schema(description = "A data subject request: which right, and what the person wrote", example = """
            {"type": "RESTRICTION", "details": "My address is wrong; please stop using my data until it is corrected."}""")
    public record NewRequest(
            @Schema(required = true) SubjectRequestType type,
            @Schema(description = "What the person asks for, in their words (at most 2000 characters)") String details) {
    }

    @Schema(description = "The next step of a request: IN_PROGRESS, COMPLETED or REJECTED (extensions have their own "
            + "endpoint). A reason is required to complete or reject.", example = """
            {"status": "COMPLETED", "reason": "Processing restricted to storage until the address is verified."}""")
    public record StatusChange(@Schema(required = true) SubjectRequestStatus status, String reason) {
    }

    @Schema(description = "Extends the due date by one or two further months, once, within the first month (GDPR Art. 12(3))",
            example = """
                    {"months": 2, "reason": "Records from three archived systems must be collected."}""")
    public record Extension(@Schema(required = true, minimum = "1", maximum = "2") Integer months,
                            @Schema(required = true) String reason) {
    }

    public record RequestView(
            UUID id,
            String subjectId,
            SubjectRequestType type,
            SubjectRequestStatus status,
            String details,
            Instant receivedAt,
            @Schema(description = "receivedAt plus one calendar month, plus the extension's months once extended")
            Instant dueAt,
            Integer extendedMonths,
            String extensionReason,
            @Schema(description = "Why it was completed or rejected")
            String closingReason,
            Instant closedAt,
            Instant updatedAt,
            @Schema(description = "Still open and past its due date")
            boolean overdue) {
    }

    public record RequestList(List<RequestView> requests) {
    }
}
