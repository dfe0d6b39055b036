package io.samtykke.consent.record;

import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of consent writes and reads. */
public final class ConsentApi {

    private ConsentApi() {
    }

    @Schema(description = "All toggles of one screen or banner, written atomically", example = """
            {"changes": [
               {"purpose": "newsletter", "action": "GRANT", "noticeVersion": "2025-03"},
               {"purpose": "sms-offers", "action": "DENY", "noticeVersion": "2025-03"},
               {"purpose": "gps-tracking", "action": "WITHDRAW"}],
             "evidence": {
               "source": {"appId": "taxa-app", "platform": "ios", "appVersion": "5.2.0",
                          "collectionPoint": "settings/notifications"},
               "actor": {"type": "SUBJECT"},
               "language": "da",
               "occurredAt": "2025-03-14T09:26:53Z"}}""")
    public record ConsentRequest(List<Change> changes, EvidenceRequest evidence, List<IdentifierRequest> identifiers) {
    }

    @Schema(description = "One change. noticeVersion is required to GRANT; WITHDRAW needs nothing else.")
    public record Change(String purpose, ConsentAction action, String noticeVersion) {
    }

    @Schema(description = "How the change was collected. Everything is optional: a withdrawal needs none of it.")
    public record EvidenceRequest(
            SourceRequest source,
            ActorRequest actor,
            @Schema(description = "Language the notice was shown in (BCP 47), picks the notice translation")
            String language,
            @Schema(description = "When the person made the choice on their device; defaults to the server time")
            Instant occurredAt,
            @Schema(description = "The device's IP (app role only, when relaying for a device); stored truncated to /24 or /48")
            String ipAddress,
            @Schema(description = "The device's user agent (app role only, when relaying for a device)")
            String userAgent) {
    }

    public record SourceRequest(String appId, String platform, String appVersion, String collectionPoint) {
    }

    public record ActorRequest(ActorType type, String id) {
    }

    @Schema(description = "A contact identifier to attach to the subject; stored encrypted")
    public record IdentifierRequest(IdentifierType type, String value) {
    }

    public enum IdentifierType {
        EMAIL, PHONE, PUSH_TOKEN, DEVICE_ID, COOKIE_ID
    }

    public record ConsentWriteResponse(String subjectId, UUID requestId, long subjectSeq, List<RecordView> records) {
    }

    public record RecordView(
            UUID eventId,
            long subjectSeq,
            String purpose,
            ConsentAction action,
            ConsentState previousState,
            ConsentState state,
            String noticeVersion,
            String noticeLanguage,
            Instant occurredAt,
            Instant recordedAt,
            Instant expiresAt,
            @Schema(description = "Where audit-service serves the consent receipt of this record")
            String receipt) {
    }

    public record ConsentView(
            String purpose,
            ConsentState state,
            String noticeVersion,
            String noticeLanguage,
            long subjectSeq,
            UUID eventId,
            Instant updatedAt,
            Instant expiresAt,
            @Schema(description = "A material notice change was published after the notice this grant was given under")
            boolean reconsentRequired) {
    }

    public record SubjectConsents(String subjectId, long subjectSeq, Instant at, List<ConsentView> consents) {
    }

    @Schema(example = """
            {"subjectIds": ["user-1", "user-2"], "purposes": ["newsletter"]}""")
    public record BatchQuery(List<String> subjectIds, List<String> purposes) {
    }

    public record BatchResult(List<SubjectConsents> subjects) {
    }

    public record HistoryRecord(
            UUID eventId,
            long subjectSeq,
            UUID requestId,
            String purpose,
            ConsentAction action,
            ConsentState previousState,
            ConsentState state,
            String noticeVersion,
            String noticeLanguage,
            String noticeSha256,
            Instant occurredAt,
            Instant recordedAt,
            Instant expiresAt,
            SourceRequest source,
            ActorRequest actor,
            String language,
            String ipPrefix,
            String userAgent,
            @Schema(description = "Only on the confirmation of a double opt-in: the proof of the person's click "
                    + "(ipPrefix and userAgent are the click's)")
            ConfirmationView confirmation) {
    }

    @Schema(description = "Which confirmation link (its token id, never the token) confirmed which pending record, when")
    public record ConfirmationView(UUID tokenId, UUID pendingEventId, Instant requestedAt, Instant confirmedAt) {
    }

    public record HistoryPage(String subjectId, List<HistoryRecord> records, String nextCursor) {
    }

    @Schema(description = "Changes for whoever owns a contact identifier, e.g. an unsubscribe by email address",
            example = """
                    {"identifier": {"type": "EMAIL", "value": "anna@example.dk"},
                     "changes": [{"purpose": "newsletter", "action": "WITHDRAW"}]}""")
    public record IdentifierConsentRequest(IdentifierRequest identifier, List<Change> changes, EvidenceRequest evidence) {
    }

    public record IdentifierConsentResponse(List<ConsentWriteResponse> subjects) {
    }
}
