package io.samtykke.contract;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Realistic payloads built the way a producer builds them. */
final class SampleEvents {

    static final Instant OCCURRED = Instant.parse("2026-03-02T09:15:00.123456Z");

    private SampleEvents() {
    }

    /** A grant with every optional field present. */
    static ConsentEvent fullGrant() {
        return new ConsentEvent(
                UUID.fromString("3f0c6a52-8a1e-4b59-9a43-2f1f5c7d9e01"),
                "acme", "user-42", 1,
                UUID.fromString("9b2d1c8e-0f4a-4e7b-8c11-5d6e7f809a1b"),
                "newsletter", Channel.EMAIL, PurposeCategory.MARKETING, LegalBasis.CONSENT,
                ConsentAction.GRANT, ConsentState.NONE, ConsentState.GRANTED,
                new ConsentEvent.Notice("3", "da", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        "https://acme.example/privacy/newsletter/v3", false),
                new ConsentEvent.Evidence(
                        new ConsentEvent.Source("acme-ios", "IOS", "5.2.0", "settings-newsletter-toggle"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"),
                        "da-DK", "192.0.2.0/24", "AcmeApp/5.2.0 (iPhone; iOS 19.1)"),
                OCCURRED, OCCURRED.plusMillis(412), Instant.parse("2027-04-02T09:15:00Z"));
    }

    /** {@link #fullGrant()} with another resulting state (so another event type), channel and legal basis. */
    static ConsentEvent fullGrant(ConsentState state, Channel channel, LegalBasis basis) {
        ConsentEvent e = fullGrant();
        return new ConsentEvent(e.eventId(), e.tenantId(), e.subjectId(), e.subjectSeq(), e.requestId(), e.purpose(),
                channel, e.category(), basis, e.action(), e.previousState(), state, e.notice(), e.evidence(),
                e.occurredAt(), e.recordedAt(), e.expiresAt());
    }

    /** {@link #fullGrant()} ending in another state, so of another event type. */
    static ConsentEvent fullGrantEndingIn(ConsentState state) {
        ConsentEvent e = fullGrant();
        return fullGrant(state, e.channel(), e.legalBasis());
    }

    /** The confirmation of a double opt-in: the grant with the proof of the click. */
    static ConsentEvent confirmedGrant() {
        ConsentEvent e = fullGrant();
        return new ConsentEvent(UUID.fromString("6c1b2a3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"), e.tenantId(), e.subjectId(), 2,
                UUID.randomUUID(), e.purpose(), e.channel(), e.category(), e.legalBasis(), ConsentAction.CONFIRM,
                ConsentState.PENDING_CONFIRMATION, ConsentState.GRANTED, e.notice(),
                new ConsentEvent.Evidence(new ConsentEvent.Source(null, null, null, "double-opt-in"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), "da", "192.0.2.0/24", "Mozilla/5.0",
                        new ConsentEvent.Confirmation(UUID.fromString("0e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"),
                                e.eventId(), e.recordedAt(), OCCURRED.plusSeconds(600))),
                OCCURRED.plusSeconds(600), OCCURRED.plusSeconds(600), null);
    }

    /** The confirmation request of {@link #fullGrant()} ending in PENDING_CONFIRMATION. */
    static ConfirmationRequest confirmationRequest() {
        ConsentEvent e = fullGrant();
        String token = "q3Zk2mY0b8sJ1f9XvR7tLw4nP6hA5cE2uG0iO8yT1dB";
        return new ConfirmationRequest(UUID.fromString("5a1f0c3e-7b2d-4e9a-8c6f-1d2e3f4a5b6c"), e.tenantId(),
                e.subjectId(), e.subjectSeq(), e.purpose(), e.channel(), e.eventId(),
                UUID.fromString("0e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a"), token,
                "https://consent.acme.example/v1/confirmations/" + token, "da", e.recordedAt(),
                e.recordedAt().plusSeconds(7 * 86400));
    }

    /** An expiry written by the system: no notice, no source details, no client data. */
    static ConsentEvent systemExpiry() {
        return new ConsentEvent(
                UUID.randomUUID(), "acme", "user-42", 9, UUID.randomUUID(),
                "analytics-cookies", Channel.COOKIE, PurposeCategory.ANALYTICS, LegalBasis.CONSENT,
                ConsentAction.EXPIRE, ConsentState.GRANTED, ConsentState.EXPIRED,
                null,
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SYSTEM, null), null, null, null),
                OCCURRED, OCCURRED, null);
    }

    static ConsentStateSnapshot snapshot() {
        return new ConsentStateSnapshot("acme", "user-42", "newsletter", ConsentState.GRANTED, 1,
                UUID.fromString("3f0c6a52-8a1e-4b59-9a43-2f1f5c7d9e01"), "3",
                OCCURRED.plusMillis(412), Instant.parse("2027-04-02T09:15:00Z"));
    }

    /** A subject event of this type, shaped as consent-service writes it: scope on objections, request on request steps. */
    static SubjectEvent subjectEvent(SubjectEventType type) {
        boolean objection = type == SubjectEventType.OBJECTED || type == SubjectEventType.OBJECTION_WITHDRAWN;
        SubjectRequestStatus status = switch (type) {
            case REQUEST_STARTED -> SubjectRequestStatus.IN_PROGRESS;
            case REQUEST_EXTENDED -> SubjectRequestStatus.EXTENDED;
            case REQUEST_COMPLETED, RESTRICTED, ERASED -> SubjectRequestStatus.COMPLETED;
            case REQUEST_REJECTED -> SubjectRequestStatus.REJECTED;
            default -> SubjectRequestStatus.RECEIVED;
        };
        Instant received = Instant.parse("2026-01-31T09:00:00Z");
        SubjectEvent.Request request = type.isRequestStep() || type == SubjectEventType.RESTRICTED || type == SubjectEventType.ERASED
                ? new SubjectEvent.Request(UUID.fromString("7e3f5c9a-4d6f-4a0b-9c2d-3e4f5a6b7c8d"),
                type == SubjectEventType.RESTRICTED ? SubjectRequestType.RESTRICTION
                        : type == SubjectEventType.ERASED ? SubjectRequestType.ERASURE : SubjectRequestType.ACCESS, status, received,
                type == SubjectEventType.REQUEST_EXTENDED ? Instant.parse("2026-04-30T09:00:00Z") : Instant.parse("2026-02-28T09:00:00Z"),
                type == SubjectEventType.REQUEST_EXTENDED ? 2 : null)
                : null;
        boolean reasoned = Set.of(SubjectEventType.EXPORT_READY, SubjectEventType.REQUEST_EXTENDED, SubjectEventType.REQUEST_COMPLETED,
                SubjectEventType.REQUEST_REJECTED, SubjectEventType.RESTRICTED, SubjectEventType.RESTRICTION_LIFTED,
                SubjectEventType.ERASED).contains(type);
        return new SubjectEvent(UUID.fromString("5c1f3a7e-2b4d-4e8f-9a0b-1c2d3e4f5a6b"), "mobiplus", "user-42", 3, type,
                objection ? SubjectEvent.Scope.DIRECT_MARKETING : null, request,
                reasoned ? "the person contests the accuracy of their address" : null,
                new ConsentEvent.Evidence(new ConsentEvent.Source("mobiplus-app", "ANDROID", "7.0.1", "privacy-settings"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), "sv", "192.0.2.0/24", "MobiPlus/7.0.1"),
                OCCURRED, OCCURRED.plusMillis(32));
    }

    /** A preference change with every optional field present. */
    static PreferenceEvent preferenceEvent() {
        return new PreferenceEvent(UUID.fromString("0b7d3c1e-9a4f-4c2b-8e5d-6f7a8b9c0d1e"), "nabogo", "user-42", 3,
                new Preferences(List.of("product-updates", "ride-offers"),
                        Map.of(Channel.EMAIL, new FrequencyCap(2, FrequencyCap.Period.WEEK)),
                        new QuietHours("22:00", "07:00"), "Europe/Copenhagen", "da", Channel.PUSH).normalized(),
                OCCURRED);
    }
}
