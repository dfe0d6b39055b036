package io.samtykke.preference.decision;

import io.samtykke.contract.Channel;
import io.samtykke.preference.decision.DecisionEngine.Consent;
import io.samtykke.preference.decision.DecisionEngine.Verdict;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** Request and response bodies of decisions and send reports. */
public final class DecisionApi {

    private DecisionApi() {
    }

    @Schema(description = "May I contact these people on this channel about this purpose or topic now? "
            + "Give subjectId for one person or subjectIds for up to 10,000.", example = """
            {"channel": "EMAIL", "topic": "ride-offers", "subjectIds": ["user-41", "user-42"]}""")
    public record DecisionRequest(
            Channel channel,
            @Schema(description = "Purpose key in consent-service's catalog; optional when topic is given (its purpose is used)")
            String purpose,
            @Schema(description = "Topic key of the tenant's topic catalog; the person must follow it")
            String topic,
            String subjectId,
            List<String> subjectIds) {
    }

    public record DecisionResponse(
            Channel channel,
            String purpose,
            String topic,
            Instant evaluatedAt,
            List<SubjectDecision> decisions) {
    }

    public record SubjectDecision(
            String subjectId,
            @Schema(description = "ALLOW or DENY")
            Verdict decision,
            @Schema(description = "Every rule that applied; any denying reason makes the decision DENY")
            List<Reason> reasons,
            @Schema(description = "The consent the decision rests on: its subjectSeq and eventId are the consent version; "
                    + "absent when none was recorded")
            Consent consent) {
    }

    @Schema(description = "Messages sent, so they count against frequency caps. messageId makes a repeated report harmless.",
            example = """
                    {"channel": "EMAIL", "topic": "ride-offers", "messageId": "campaign-2026-03-05",
                     "subjectIds": ["user-41", "user-42"]}""")
    public record SendReport(
            Channel channel,
            String purpose,
            String topic,
            @Schema(description = "The sender's id of the message; reporting it again for a person is ignored")
            String messageId,
            @Schema(description = "When it was sent; default now, never in the future")
            Instant sentAt,
            String subjectId,
            List<String> subjectIds) {
    }

    public record SendResult(int recorded, int ignored) {
    }
}
