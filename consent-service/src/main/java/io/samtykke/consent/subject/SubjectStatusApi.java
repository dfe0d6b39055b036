package io.samtykke.consent.subject;

import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.contract.SubjectEvent;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** Bodies of the person-wide objection and restriction. */
public final class SubjectStatusApi {

    private SubjectStatusApi() {
    }

    @Schema(description = "Objects to ALL direct marketing of the tenant: every MARKETING purpose, present and future, every "
            + "channel (GDPR Art. 21(2)-(3)). An app relaying the person's request sends its evidence (source required).",
            example = """
                    {"evidence": {"source": {"appId": "mobiplus-app", "platform": "android", "appVersion": "7.0.1",
                                             "collectionPoint": "privacy-settings"}, "language": "sv"}}""")
    public record ObjectionRequest(EvidenceRequest evidence) {
    }

    @Schema(description = "Restricts processing to storage (GDPR Art. 18), or lifts the restriction; a reason either way",
            example = """
                    {"restricted": true, "reason": "The person contests the accuracy of their address (Art. 18(1)(a))."}""")
    public record RestrictionChange(@Schema(required = true) Boolean restricted, @Schema(required = true) String reason) {
    }

    @Schema(description = "The objection to all direct marketing, while it stands")
    public record Objection(SubjectEvent.Scope scope, Instant since) {
    }

    @Schema(description = "The restriction of processing to storage, while it stands")
    public record Restriction(Instant since, String reason) {
    }

    @Schema(description = "What holds for the person as a whole; null parts do not stand")
    public record SubjectStatus(String subjectId, Objection objection, Restriction restriction) {
    }
}
