package io.samtykke.preference.decision;

import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.QuietHours;
import io.samtykke.preference.purpose.PurposeInfo;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * "May this tenant contact this person about this purpose (and topic) on this channel now?" Plain Java, no I/O:
 * the caller hands in everything known about the person. Every rule that applies adds a reason; any denying
 * reason makes the answer DENY (the most restrictive source wins). Necessary and service-message purposes are
 * allowed without consent and outside marketing settings (topics, quiet hours, caps) — seed 004: "formal
 * notices are sent regardless of marketing settings" — but never to an erased person, nor to one whose processing is
 * restricted (Art. 18). An objection to all direct marketing denies every MARKETING purpose, including ones created after it.
 */
public final class DecisionEngine {

    private DecisionEngine() {
    }

    /** The projected consent of one person for the purpose; null when none was ever recorded. */
    public record Consent(ConsentState state, long subjectSeq, UUID eventId, String noticeVersion, Instant expiresAt,
                          Instant changedAt) {
    }

    /** Messages reported as sent on the channel within each cap window (rolling, ending now). */
    public record SendCounts(Map<FrequencyCap.Period, Long> byPeriod) {

        public static final SendCounts NONE = new SendCounts(Map.of());

        long in(FrequencyCap.Period period) {
            return byPeriod.getOrDefault(period, 0L);
        }
    }

    /** What is asked: the channel, the purpose (null when unknown), its key, and the topic (optional). */
    public record Question(Channel channel, String purposeKey, PurposeInfo purpose, String topic) {
    }

    /**
     * What is known about the person.
     *
     * @param restricted processing restricted to storage (GDPR Art. 18): nothing may be processed
     * @param objected   the person objects to all direct marketing (Art. 21(2)-(3)): no MARKETING purpose, whenever created
     */
    public record Facts(Consent consent, boolean erased, boolean restricted, boolean objected, Preferences preferences,
                        SendCounts sends) {

        /** Neither restricted nor objecting. */
        public Facts(Consent consent, boolean erased, Preferences preferences, SendCounts sends) {
            this(consent, erased, false, false, preferences, sends);
        }
    }

    public enum Verdict { ALLOW, DENY }

    /** The answer: the verdict, every reason, and the consent (its subjectseq and event id) it rests on. */
    public record Decision(Verdict decision, List<Reason> reasons, Consent consent) {

        public boolean allowed() {
            return decision == Verdict.ALLOW;
        }
    }

    public static Decision decide(Question q, Facts f, Instant now) {
        List<Reason> reasons = new ArrayList<>();
        Preferences prefs = f.preferences() == null ? Preferences.NONE : f.preferences().normalized();
        if (f.erased()) {
            reasons.add(new Reason(Reason.Code.ERASED, "the person's data was erased"));
        }
        if (f.restricted()) {
            reasons.add(new Reason(Reason.Code.RESTRICTED, "the person's processing is restricted to storage (GDPR Art. 18)"));
        }
        PurposeInfo purpose = q.purpose();
        if (purpose == null) {
            reasons.add(new Reason(Reason.Code.UNKNOWN_PURPOSE, "'" + q.purposeKey() + "' is not a purpose of this tenant's "
                    + "catalog as preference-service knows it"));
            return verdict(reasons, f.consent());
        }
        if (!purpose.active()) {
            reasons.add(new Reason(Reason.Code.PURPOSE_INACTIVE, "purpose '" + purpose.key() + "' is no longer in use"));
        }
        if (purpose.channel() != Channel.NONE && purpose.channel() != q.channel()) {
            reasons.add(new Reason(Reason.Code.CHANNEL_NOT_COVERED, "purpose '" + purpose.key() + "' covers "
                    + purpose.channel() + ", not " + q.channel()));
        }
        if (purpose.exempt()) {
            reasons.add(new Reason(Reason.Code.EXEMPT_CATEGORY, purpose.category() + " purposes are sent without consent, "
                    + "regardless of marketing settings"));
            return verdict(reasons, f.consent());
        }
        if (f.objected() && purpose.category() == PurposeCategory.MARKETING) {
            reasons.add(new Reason(Reason.Code.OBJECTED, "the person objects to all direct marketing (GDPR Art. 21(3))"));
        }
        reasons.add(consentReason(purpose, f.consent(), now));
        if (q.topic() != null && !prefs.topics().contains(q.topic())) {
            reasons.add(new Reason(Reason.Code.TOPIC_UNSUBSCRIBED, "the person does not follow topic '" + q.topic() + "'"));
        }
        quietHours(prefs, now, reasons);
        FrequencyCap cap = prefs.frequencyCaps().get(q.channel());
        if (cap != null && cap.max() != null && cap.per() != null) {
            long sent = f.sends() == null ? 0 : f.sends().in(cap.per());
            if (sent >= cap.max()) {
                reasons.add(new Reason(Reason.Code.FREQUENCY_CAP_REACHED, sent + " of at most " + cap.max() + " "
                        + q.channel() + " messages per " + cap.per() + " were sent"));
            }
        }
        return verdict(reasons, f.consent());
    }

    private static Reason consentReason(PurposeInfo purpose, Consent consent, Instant now) {
        ConsentState state = consent == null ? ConsentState.NONE : consent.state();
        boolean lapsed = state == ConsentState.GRANTED && consent.expiresAt() != null && !now.isBefore(consent.expiresAt());
        if (lapsed) {
            return new Reason(Reason.Code.EXPIRED, "the grant expired at " + consent.expiresAt());
        }
        switch (state) {
            case DENIED:
                return new Reason(Reason.Code.DENIED, "the person said no to '" + purpose.key() + "'");
            case WITHDRAWN:
                return new Reason(Reason.Code.WITHDRAWN, "the person withdrew consent to '" + purpose.key() + "'");
            case EXPIRED:
                return new Reason(Reason.Code.EXPIRED, "the consent to '" + purpose.key() + "' expired");
            case OBJECTED:
                return new Reason(Reason.Code.OBJECTED, "the person objected to '" + purpose.key() + "' (GDPR Art. 21)");
            default:
                break;
        }
        if (purpose.legalBasis() != LegalBasis.CONSENT) {
            return new Reason(Reason.Code.LEGAL_BASIS, "legal basis " + purpose.legalBasis() + " and no objection");
        }
        return switch (state) {
            case GRANTED -> new Reason(Reason.Code.CONSENT_GRANTED, "consent granted"
                    + (consent.noticeVersion() == null ? "" : " under notice " + consent.noticeVersion()));
            case PENDING_CONFIRMATION -> new Reason(Reason.Code.PENDING_CONFIRMATION,
                    "the person has not confirmed the double opt-in yet");
            default -> new Reason(Reason.Code.NO_CONSENT, "no consent to '" + purpose.key() + "' was recorded");
        };
    }

    private static void quietHours(Preferences prefs, Instant now, List<Reason> reasons) {
        QuietHours q = prefs.quietHours();
        if (q == null || q.start() == null || q.end() == null || prefs.timeZone() == null) {
            return;
        }
        ZonedDateTime local = now.atZone(ZoneId.of(prefs.timeZone()));
        LocalTime time = local.toLocalTime();
        LocalTime start = LocalTime.parse(q.start());
        LocalTime end = LocalTime.parse(q.end());
        boolean inside = start.isBefore(end)
                ? !time.isBefore(start) && time.isBefore(end)
                : !time.isBefore(start) || time.isBefore(end);
        if (inside) {
            reasons.add(new Reason(Reason.Code.QUIET_HOURS, "quiet hours " + q.start() + "-" + q.end() + " in "
                    + prefs.timeZone() + " (it is " + time.withSecond(0).withNano(0) + " there)"));
        }
    }

    private static Decision verdict(List<Reason> reasons, Consent consent) {
        boolean denied = reasons.stream().anyMatch(r -> r.code().denies());
        return new Decision(denied ? Verdict.DENY : Verdict.ALLOW, List.copyOf(reasons), consent);
    }
}
