package io.samtykke.preference.decision;

import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.QuietHours;
import io.samtykke.preference.decision.DecisionEngine.Consent;
import io.samtykke.preference.decision.DecisionEngine.Decision;
import io.samtykke.preference.decision.DecisionEngine.Facts;
import io.samtykke.preference.decision.DecisionEngine.Question;
import io.samtykke.preference.decision.DecisionEngine.SendCounts;
import io.samtykke.preference.decision.DecisionEngine.Verdict;
import io.samtykke.preference.decision.Reason.Code;
import io.samtykke.preference.purpose.PurposeInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionEngineTest {

    /** Tuesday 2026-03-03 12:00 UTC = 13:00 in Copenhagen. */
    static final Instant NOON = Instant.parse("2026-03-03T12:00:00Z");
    static final PurposeInfo NEWSLETTER = purpose("newsletter", Channel.EMAIL, LegalBasis.CONSENT, PurposeCategory.MARKETING);
    static final PurposeInfo PRODUCT_NEWS = purpose("product-news", Channel.EMAIL, LegalBasis.EXISTING_CUSTOMER, PurposeCategory.MARKETING);
    static final PurposeInfo SERVICE = purpose("service-messages", Channel.EMAIL, LegalBasis.CONTRACT, PurposeCategory.SERVICE_MESSAGES);
    static final PurposeInfo NECESSARY = purpose("necessary-cookies", Channel.COOKIE, LegalBasis.CONTRACT, PurposeCategory.NECESSARY);
    static final PurposeInfo COMPETITIONS = purpose("competitions", Channel.NONE, LegalBasis.CONSENT, PurposeCategory.MARKETING);
    static final Consent GRANTED = consent(ConsentState.GRANTED, 3, null);

    @Test
    void aGrantedUnexpiredConsentAllowsAndNamesTheConsentVersion() {
        Decision d = decide(email(NEWSLETTER, null), facts(GRANTED));
        assertEquals(Verdict.ALLOW, d.decision());
        assertEquals(List.of(Code.CONSENT_GRANTED), codes(d));
        assertEquals(3, d.consent().subjectSeq());
        assertEquals(GRANTED.eventId(), d.consent().eventId());
    }

    @ParameterizedTest
    @CsvSource({"WITHDRAWN, WITHDRAWN", "DENIED, DENIED", "EXPIRED, EXPIRED", "OBJECTED, OBJECTED",
            "PENDING_CONFIRMATION, PENDING_CONFIRMATION", "NONE, NO_CONSENT"})
    void everyStateButGrantedDeniesAConsentPurposeWithItsReason(ConsentState state, Code reason) {
        Decision d = decide(email(NEWSLETTER, null), facts(consent(state, 4, null)));
        assertEquals(Verdict.DENY, d.decision());
        assertEquals(List.of(reason), codes(d));
    }

    @Test
    void aPurposeTakenOutOfUseDeniesEvenWithAGrantStillOnRecord() {
        PurposeInfo retired = new PurposeInfo(NEWSLETTER.key(), NEWSLETTER.channel(), NEWSLETTER.category(),
                NEWSLETTER.legalBasis(), Map.of(), Map.of(), false);
        Decision d = decide(email(retired, null), facts(GRANTED));
        assertEquals(Verdict.DENY, d.decision());
        assertEquals(List.of(Code.PURPOSE_INACTIVE, Code.CONSENT_GRANTED), codes(d));
    }

    @Test
    void noRecordedConsentDeniesWithNoConsentAndNoVersion() {
        Decision d = decide(email(NEWSLETTER, null), facts(null));
        assertEquals(List.of(Code.NO_CONSENT), codes(d));
        assertNull(d.consent());
    }

    @Test
    void aGrantPastItsExpiryDeniesEvenBeforeTheExpiryEventArrives() {
        Decision d = decide(email(NEWSLETTER, null), facts(consent(ConsentState.GRANTED, 2, NOON.minusSeconds(1))));
        assertEquals(List.of(Code.EXPIRED), codes(d));
        assertEquals(Verdict.ALLOW, decide(email(NEWSLETTER, null),
                facts(consent(ConsentState.GRANTED, 2, NOON.plusSeconds(1)))).decision());
    }

    @Test
    void serviceMessagesAndNecessaryPurposesAreAllowedWithoutConsent() {
        Decision service = decide(email(SERVICE, null), facts(null));
        assertEquals(Verdict.ALLOW, service.decision());
        assertEquals(List.of(Code.EXEMPT_CATEGORY), codes(service));
        Decision cookie = decide(new Question(Channel.COOKIE, NECESSARY.key(), NECESSARY, null), facts(null));
        assertEquals(Verdict.ALLOW, cookie.decision());
    }

    @Test
    void formalNoticesIgnoreMarketingSettingsButNotErasure() {
        Preferences strict = new Preferences(List.of(), Map.of(Channel.EMAIL, new FrequencyCap(1, FrequencyCap.Period.WEEK)),
                new QuietHours("00:00", "23:59"), "Europe/Copenhagen", "da", null);
        Facts marketingSaysNo = new Facts(consent(ConsentState.WITHDRAWN, 9, null), false, strict,
                counts(5, 5, 5));
        assertEquals(Verdict.ALLOW, decide(email(SERVICE, "policy-changes"), marketingSaysNo).decision());
        Decision erased = decide(email(SERVICE, null), new Facts(null, true, null, SendCounts.NONE));
        assertEquals(Verdict.DENY, erased.decision());
        assertTrue(codes(erased).contains(Code.ERASED));
    }

    @Test
    void legitimateInterestAndExistingCustomerAllowUntilTheObjection() {
        assertEquals(List.of(Code.LEGAL_BASIS), codes(decide(email(PRODUCT_NEWS, null), facts(null))));
        Decision objected = decide(email(PRODUCT_NEWS, null), facts(consent(ConsentState.OBJECTED, 5, null)));
        assertEquals(Verdict.DENY, objected.decision());
        assertEquals(List.of(Code.OBJECTED), codes(objected));
    }

    @Test
    void aDifferentLegalBasisNeverOverridesAnOptOut() {
        PurposeInfo contract = purpose("loyalty", Channel.EMAIL, LegalBasis.CONTRACT, PurposeCategory.MARKETING);
        assertEquals(Verdict.DENY, decide(email(contract, null), facts(consent(ConsentState.WITHDRAWN, 2, null))).decision());
    }

    @Test
    void aTopicTheSubjectDoesNotFollowDenies() {
        Facts follows = new Facts(GRANTED, false, prefs(List.of("product-updates"), null, null, Map.of()), SendCounts.NONE);
        assertEquals(Verdict.ALLOW, decide(email(NEWSLETTER, "product-updates"), follows).decision());
        Decision other = decide(email(NEWSLETTER, "ride-offers"), follows);
        assertEquals(Verdict.DENY, other.decision());
        assertEquals(List.of(Code.CONSENT_GRANTED, Code.TOPIC_UNSUBSCRIBED), codes(other));
    }

    @Test
    void quietHoursInTheSubjectsTimeZoneDenyAndMaySpanMidnight() {
        // 12:00 UTC is 13:00 in Copenhagen, 21:00 in Tokyo, 07:00 in New York
        assertEquals(Verdict.DENY, decide(email(NEWSLETTER, null), quiet("12:30", "14:00", "Europe/Copenhagen")).decision());
        assertEquals(Verdict.ALLOW, decide(email(NEWSLETTER, null), quiet("12:30", "14:00", "UTC")).decision());
        assertEquals(Verdict.DENY, decide(email(NEWSLETTER, null), quiet("20:00", "07:00", "Asia/Tokyo")).decision());
        assertEquals(Verdict.ALLOW, decide(email(NEWSLETTER, null), quiet("22:00", "07:00", "America/New_York")).decision());
        Decision d = decide(email(NEWSLETTER, null), quiet("22:00", "07:01", "America/New_York"));
        assertEquals(List.of(Code.CONSENT_GRANTED, Code.QUIET_HOURS), codes(d));
        assertTrue(d.reasons().get(1).detail().contains("America/New_York"), d.reasons().get(1).detail());
    }

    @Test
    void theFrequencyCapOfTheChannelDeniesOnceReached() {
        Map<Channel, FrequencyCap> twoAWeek = Map.of(Channel.EMAIL, new FrequencyCap(2, FrequencyCap.Period.WEEK));
        Preferences p = prefs(List.of(), null, null, twoAWeek);
        assertEquals(Verdict.ALLOW, decide(email(NEWSLETTER, null), new Facts(GRANTED, false, p, counts(1, 1, 9))).decision());
        Decision capped = decide(email(NEWSLETTER, null), new Facts(GRANTED, false, p, counts(0, 2, 9)));
        assertEquals(List.of(Code.CONSENT_GRANTED, Code.FREQUENCY_CAP_REACHED), codes(capped));
        Decision otherChannel = decide(new Question(Channel.SMS, COMPETITIONS.key(), COMPETITIONS, null),
                new Facts(GRANTED, false, p, counts(9, 9, 9)));
        assertEquals(Verdict.ALLOW, otherChannel.decision());
    }

    @Test
    void everyRestrictionIsListedAndTheMostRestrictiveWins() {
        Preferences p = new Preferences(List.of(), Map.of(Channel.EMAIL, new FrequencyCap(1, FrequencyCap.Period.DAY)),
                new QuietHours("12:00", "14:00"), "UTC", null, null);
        Decision d = decide(email(NEWSLETTER, "ride-offers"), new Facts(consent(ConsentState.WITHDRAWN, 7, null), true, p,
                counts(1, 1, 1)));
        assertEquals(Verdict.DENY, d.decision());
        assertEquals(List.of(Code.ERASED, Code.WITHDRAWN, Code.TOPIC_UNSUBSCRIBED, Code.QUIET_HOURS, Code.FREQUENCY_CAP_REACHED),
                codes(d));
    }

    @Test
    void aPurposeForAnotherChannelDoesNotCoverThisOne() {
        Decision d = decide(new Question(Channel.SMS, NEWSLETTER.key(), NEWSLETTER, null), facts(GRANTED));
        assertEquals(Verdict.DENY, d.decision());
        assertTrue(codes(d).contains(Code.CHANNEL_NOT_COVERED));
        assertEquals(Verdict.ALLOW, decide(new Question(Channel.SMS, COMPETITIONS.key(), COMPETITIONS, null), facts(GRANTED)).decision());
    }

    @Test
    void anUnknownPurposeDenies() {
        Decision d = decide(new Question(Channel.EMAIL, "mystery", null, null), facts(null));
        assertEquals(Verdict.DENY, d.decision());
        assertEquals(List.of(Code.UNKNOWN_PURPOSE), codes(d));
    }

    private static Decision decide(Question q, Facts f) {
        return DecisionEngine.decide(q, f, NOON);
    }

    private static Question email(PurposeInfo p, String topic) {
        return new Question(Channel.EMAIL, p.key(), p, topic);
    }

    private static Facts facts(Consent consent) {
        return new Facts(consent, false, null, SendCounts.NONE);
    }

    private static Facts quiet(String start, String end, String zone) {
        return new Facts(GRANTED, false, new Preferences(List.of(), Map.of(), new QuietHours(start, end), zone, null, null),
                SendCounts.NONE);
    }

    private static Preferences prefs(List<String> topics, QuietHours quiet, String zone, Map<Channel, FrequencyCap> caps) {
        return new Preferences(topics, caps, quiet, zone, null, null);
    }

    private static SendCounts counts(long day, long week, long month) {
        return new SendCounts(Map.of(FrequencyCap.Period.DAY, day, FrequencyCap.Period.WEEK, week, FrequencyCap.Period.MONTH, month));
    }

    private static Consent consent(ConsentState state, long seq, Instant expiresAt) {
        return new Consent(state, seq, UUID.randomUUID(), "2025-01", expiresAt, NOON.minusSeconds(3600));
    }

    private static PurposeInfo purpose(String key, Channel channel, LegalBasis basis, PurposeCategory category) {
        return new PurposeInfo(key, channel, category, basis, Map.of(), Map.of(), true);
    }

    private static List<Code> codes(Decision d) {
        return d.reasons().stream().map(Reason::code).toList();
    }
}
