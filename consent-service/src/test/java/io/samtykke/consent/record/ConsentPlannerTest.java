package io.samtykke.consent.record;

import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.kit.problem.Problem.FieldError;
import io.samtykke.consent.record.ConsentApi.ActorRequest;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.ConsentApi.SourceRequest;
import io.samtykke.consent.record.ConsentPlanner.Catalog;
import io.samtykke.consent.record.ConsentPlanner.CurrentConsent;
import io.samtykke.consent.record.ConsentPlanner.PlannedEvent;
import io.samtykke.consent.record.ConsentPlanner.PublishedNotice;
import io.samtykke.consent.record.ConsentPlanner.PurposeFacts;
import io.samtykke.consent.record.ConsentPlanner.SubjectState;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static io.samtykke.contract.ConsentAction.CONFIRM;
import static io.samtykke.contract.ConsentAction.DENY;
import static io.samtykke.contract.ConsentAction.EXPIRE;
import static io.samtykke.contract.ConsentAction.GRANT;
import static io.samtykke.contract.ConsentAction.OBJECT;
import static io.samtykke.contract.ConsentAction.WITHDRAW;
import static io.samtykke.contract.ConsentState.DENIED;
import static io.samtykke.contract.ConsentState.EXPIRED;
import static io.samtykke.contract.ConsentState.GRANTED;
import static io.samtykke.contract.ConsentState.NONE;
import static io.samtykke.contract.ConsentState.OBJECTED;
import static io.samtykke.contract.ConsentState.PENDING_CONFIRMATION;
import static io.samtykke.contract.ConsentState.WITHDRAWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The planner alone: no database, no Quarkus; time and ids are fixed so every value can be asserted. */
class ConsentPlannerTest {

    private static final Instant NOW = Instant.parse("2025-01-31T10:00:00Z");
    private static final Caller APP = new Caller("acme", "acme-backend", Set.of(Caller.APP));
    private static final WriteContext FROM_APP = new WriteContext(APP, null, null, "198.51.100.23", "acme-backend/1.0");

    private static final PurposeFacts NEWSLETTER = purpose("newsletter", LegalBasis.CONSENT, null, false, true);
    private static final PurposeFacts COOKIES = purpose("analytics-cookies", LegalBasis.CONSENT, "P13M", false, true);
    private static final PurposeFacts SMS = purpose("sms-offers", LegalBasis.CONSENT, "P1Y", true, true);
    private static final PurposeFacts CUSTOMER_MAIL = purpose("customer-mail", LegalBasis.LEGITIMATE_INTEREST, null, false, true);
    private static final PurposeFacts RETIRED = purpose("retired-offers", LegalBasis.CONSENT, null, false, false);

    private static final Catalog CATALOG = new Catalog(
            Map.of(NEWSLETTER.key(), NEWSLETTER, COOKIES.key(), COOKIES, SMS.key(), SMS,
                    CUSTOMER_MAIL.key(), CUSTOMER_MAIL, RETIRED.key(), RETIRED),
            List.of(notice("newsletter", "2025-01", "en"), notice("newsletter", "2025-01", "da"),
                    notice("analytics-cookies", "v1", "en"), notice("sms-offers", "v1", "en"),
                    notice("retired-offers", "v1", "en")));

    private final AtomicLong nextId = new AtomicLong();
    private final ConsentPlanner planner = new ConsentPlanner(Duration.ofMinutes(5), Duration.ofDays(7),
            () -> new UUID(0, nextId.incrementAndGet()));

    private static PurposeFacts purpose(String key, LegalBasis basis, String validity, boolean doubleOptIn, boolean active) {
        return new PurposeFacts(key, Channel.EMAIL, basis, PurposeCategory.MARKETING, validity, doubleOptIn, active);
    }

    private static PublishedNotice notice(String purpose, String version, String language) {
        return new PublishedNotice(purpose, version, language, "ab".repeat(32), null, true);
    }

    private static SubjectState subject(long seq, Map<String, CurrentConsent> consents) {
        return new SubjectState("acme", "user-42", seq, consents);
    }

    private static ConsentRequest request(Change... changes) {
        return new ConsentRequest(List.of(changes), null, null);
    }

    private static Change change(String purpose, ConsentAction action, String noticeVersion) {
        return new Change(purpose, action, noticeVersion);
    }

    private List<ConsentEvent> plan(SubjectState subject, ConsentRequest request) {
        return plan(subject, request, FROM_APP);
    }

    private List<ConsentEvent> plan(SubjectState subject, ConsentRequest request, WriteContext ctx) {
        return planner.plan(subject, CATALOG, request, ctx, NOW).stream().map(PlannedEvent::event).toList();
    }

    private static ProblemException refused(Executable plan) {
        return assertThrows(ProblemException.class, plan);
    }

    @Test
    void grantThenWithdrawGivesTwoEventsNumberedAfterTheSubjectsSequence() {
        ConsentEvent grant = plan(subject(7, Map.of()), request(change("newsletter", GRANT, "2025-01"))).get(0);
        assertEquals(8, grant.subjectSeq());
        assertEquals(NONE, grant.previousState());
        assertEquals(GRANTED, grant.state());

        Map<String, CurrentConsent> afterGrant = Map.of("newsletter", new CurrentConsent(grant.state(), grant.expiresAt()));
        ConsentEvent withdraw = plan(subject(8, afterGrant), request(change("newsletter", WITHDRAW, null))).get(0);
        assertEquals(9, withdraw.subjectSeq());
        assertEquals(WITHDRAW, withdraw.action());
        assertEquals(GRANTED, withdraw.previousState());
        assertEquals(WITHDRAWN, withdraw.state());
        assertNull(withdraw.notice(), "a withdrawal needs no notice");
    }

    @Test
    void changesOfOneRequestShareTheRequestIdAndTakeConsecutiveSequenceNumbers() {
        List<ConsentEvent> events = plan(subject(3, Map.of()), request(
                change("newsletter", GRANT, "2025-01"), change("analytics-cookies", DENY, "v1")));
        assertEquals(List.of(4L, 5L), events.stream().map(ConsentEvent::subjectSeq).toList());
        assertEquals(List.of(GRANTED, DENIED), events.stream().map(ConsentEvent::state).toList());
        UUID requestId = new UUID(0, 1);
        assertEquals(List.of(requestId, requestId), events.stream().map(ConsentEvent::requestId).toList());
        assertEquals(List.of(new UUID(0, 2), new UUID(0, 3)), events.stream().map(ConsentEvent::eventId).toList());
        assertEquals(List.of(NOW, NOW), events.stream().map(ConsentEvent::recordedAt).toList());
    }

    @Test
    void withdrawingAPurposeNeverGrantedIsRecordedFromNone() {
        List<ConsentEvent> events = plan(subject(0, Map.of()), request(change("newsletter", WITHDRAW, null)));
        assertEquals(1, events.size());
        ConsentEvent e = events.get(0);
        assertEquals(1, e.subjectSeq());
        assertEquals(NONE, e.previousState());
        assertEquals(WITHDRAWN, e.state());
        assertNull(e.expiresAt());
    }

    @Test
    void grantOfADoubleOptInPurposeWaitsForTheConfirmationOfTheLinkSentForIt() {
        ConsentEvent pending = plan(subject(0, Map.of()), request(change("sms-offers", GRANT, "v1"))).get(0);
        assertEquals(PENDING_CONFIRMATION, pending.state());
        assertEquals(NOW.plus(Duration.ofDays(7)), pending.expiresAt(), "the confirmation link's expiry");

        Map<String, CurrentConsent> current = Map.of("sms-offers",
                new CurrentConsent(PENDING_CONFIRMATION, pending.expiresAt(), pending.eventId()));
        WriteContext.ConfirmationProof proof = new WriteContext.ConfirmationProof(new UUID(7, 7), pending.eventId(),
                NOW.minusSeconds(60));
        ConsentEvent confirmed = plan(subject(1, current), request(change("sms-offers", CONFIRM, "v1")),
                new WriteContext(new Caller("acme", "user-42", Set.of(Caller.SUBJECT)), null, null, "203.0.113.9",
                        "Mail/1.0", null, proof)).get(0);
        assertEquals(PENDING_CONFIRMATION, confirmed.previousState());
        assertEquals(GRANTED, confirmed.state());
        assertEquals(Instant.parse("2026-01-31T10:00:00Z"), confirmed.expiresAt(), "validity runs from the confirmation");
        assertEquals(2, confirmed.subjectSeq());
        assertEquals(new ConsentEvent.Confirmation(new UUID(7, 7), pending.eventId(), NOW.minusSeconds(60), NOW),
                confirmed.evidence().confirmation());
        assertEquals(ActorType.SUBJECT, confirmed.evidence().actor().type());
        assertEquals("203.0.113.0/24", confirmed.evidence().ipPrefix());
        assertEquals("Mail/1.0", confirmed.evidence().userAgent());
    }

    @Test
    void aConfirmWithoutTheCheckedLinkIsRefusedWhoeverSendsIt() {
        Map<String, CurrentConsent> current = Map.of("sms-offers",
                new CurrentConsent(PENDING_CONFIRMATION, NOW.plusSeconds(60), new UUID(1, 1)));
        ProblemException e = refused(() -> plan(subject(1, current), request(change("sms-offers", CONFIRM, null))));
        assertEquals(ConsentProblem.CONFIRMATION_REQUIRED, e.type());
        assertEquals("/changes/0/action", e.errors().get(0).pointer());
    }

    @Test
    void aLinkSentForAnEarlierPendingRecordOrAfterItsExpiryConfirmsNothing() {
        WriteContext oldLink = new WriteContext(new Caller("acme", "user-42", Set.of(Caller.SUBJECT)), null, null, null,
                null, null, new WriteContext.ConfirmationProof(new UUID(7, 7), new UUID(1, 1), NOW.minusSeconds(600)));
        Map<String, CurrentConsent> regranted = Map.of("sms-offers",
                new CurrentConsent(PENDING_CONFIRMATION, NOW.plusSeconds(60), new UUID(2, 2)));
        assertEquals(ConsentProblem.CONFIRMATION_SUPERSEDED, refused(() -> plan(subject(2, regranted),
                request(change("sms-offers", CONFIRM, null)), oldLink)).type());
        Map<String, CurrentConsent> denied = Map.of("sms-offers", new CurrentConsent(DENIED, null, new UUID(2, 2)));
        assertEquals(ConsentProblem.CONFIRMATION_SUPERSEDED, refused(() -> plan(subject(2, denied),
                request(change("sms-offers", CONFIRM, null)), oldLink)).type());
        Map<String, CurrentConsent> lapsed = Map.of("sms-offers",
                new CurrentConsent(PENDING_CONFIRMATION, NOW, new UUID(1, 1)));
        assertEquals(ConsentProblem.CONFIRMATION_SUPERSEDED, refused(() -> plan(subject(1, lapsed),
                request(change("sms-offers", CONFIRM, null)), oldLink)).type());
    }

    @Test
    void anUnconfirmedDoubleOptInExpiresOnlyOnceItsLinkHasExpired() {
        WriteContext system = new WriteContext(new Caller("acme", "samtykke-system", Set.of()), null, null, null, null);
        Map<String, CurrentConsent> due = Map.of("sms-offers", new CurrentConsent(PENDING_CONFIRMATION, NOW, new UUID(1, 1)));
        ConsentEvent expired = plan(subject(1, due), request(change("sms-offers", EXPIRE, null)), system).get(0);
        assertEquals(PENDING_CONFIRMATION, expired.previousState());
        assertEquals(EXPIRED, expired.state());
        Map<String, CurrentConsent> notYet = Map.of("sms-offers",
                new CurrentConsent(PENDING_CONFIRMATION, NOW.plusSeconds(1), new UUID(1, 1)));
        assertEquals(List.of(), plan(subject(1, notYet), request(change("sms-offers", EXPIRE, null)), system));
    }

    @Test
    void aGrantExpiresAfterThePurposesValidityCountedInCalendarMonths() {
        ConsentEvent e = plan(subject(0, Map.of()), request(change("analytics-cookies", GRANT, "v1"))).get(0);
        // 13 months after 31 January is the last day of the February after next
        assertEquals(Instant.parse("2026-02-28T10:00:00Z"), e.expiresAt());
    }

    @Test
    void aPurposeWithoutValidityGrantsWithoutExpiry() {
        ConsentEvent e = plan(subject(0, Map.of()), request(change("newsletter", GRANT, "2025-01"))).get(0);
        assertNull(e.expiresAt());
    }

    @Test
    void denyingAGrantedConsentIsAnIllegalTransitionAtTheChangesAction() {
        Map<String, CurrentConsent> current = Map.of("newsletter", new CurrentConsent(GRANTED, null));
        ProblemException e = refused(() -> plan(subject(4, current), request(change("newsletter", DENY, "2025-01"))));
        assertEquals(ConsentProblem.ILLEGAL_TRANSITION, e.type());
        assertEquals("DENY is not allowed from GRANTED: consent is granted; withdraw it with WITHDRAW", e.getMessage());
        assertEquals(List.of(new FieldError(e.getMessage(), "/changes/0/action")), e.errors());
    }

    @Test
    void everyIllegalChangeOfARequestIsNamedAndNothingIsPlanned() {
        Map<String, CurrentConsent> current = Map.of("newsletter", new CurrentConsent(GRANTED, null));
        ProblemException e = refused(() -> plan(subject(4, current), request(
                change("newsletter", DENY, null), change("analytics-cookies", GRANT, "v1"),
                change("sms-offers", OBJECT, null))));
        assertEquals(ConsentProblem.ILLEGAL_TRANSITION, e.type());
        assertEquals("2 changes are not allowed", e.getMessage());
        assertEquals(List.of("/changes/0/action", "/changes/2/action"), e.errors().stream().map(FieldError::pointer).toList());
    }

    @Test
    void objectingToAConsentPurposeIsRefusedButToALegitimateInterestPurposeRecordsAnObjection() {
        ProblemException e = refused(() -> plan(subject(0, Map.of()), request(change("newsletter", OBJECT, null))));
        assertEquals(ConsentProblem.ILLEGAL_TRANSITION, e.type());

        ConsentEvent objection = plan(subject(0, Map.of()), request(change("customer-mail", WITHDRAW, null))).get(0);
        assertEquals(OBJECTED, objection.state(), "a no to a legitimate-interest purpose is an objection");
        assertEquals(LegalBasis.LEGITIMATE_INTEREST, objection.legalBasis());
    }

    @Test
    void aGrantPastItsValidityIsTreatedAsExpiredBeforeTheExpiryJobRecordsIt() {
        Map<String, CurrentConsent> current = Map.of("analytics-cookies",
                new CurrentConsent(GRANTED, NOW.minusSeconds(1)));
        ConsentEvent regrant = plan(subject(2, current), request(change("analytics-cookies", GRANT, "v1"))).get(0);
        assertEquals(EXPIRED, regrant.previousState());
        assertEquals(GRANTED, regrant.state());
        assertEquals(Instant.parse("2026-02-28T10:00:00Z"), regrant.expiresAt());

        ConsentEvent deny = plan(subject(2, current), request(change("analytics-cookies", DENY, "v1"))).get(0);
        assertEquals(EXPIRED, deny.previousState(), "an expired grant may be denied");
        assertEquals(DENIED, deny.state());
    }

    @Test
    void aDueExpiryIsRecordedFromGrantedAsTheSystem() {
        Map<String, CurrentConsent> current = Map.of("analytics-cookies", new CurrentConsent(GRANTED, NOW));
        WriteContext system = new WriteContext(new Caller("acme", "samtykke-system", Set.of()), null, null, null, null);
        ConsentRequest expiry = new ConsentRequest(List.of(change("analytics-cookies", EXPIRE, null)),
                new EvidenceRequest(null, new ActorRequest(ActorType.SYSTEM, "consent-service"), null, null, null, null), null);
        List<ConsentEvent> events = plan(subject(5, current), expiry, system);
        assertEquals(1, events.size());
        ConsentEvent e = events.get(0);
        assertEquals(6, e.subjectSeq());
        assertEquals(GRANTED, e.previousState(), "recorded from the stored state, not the effective one");
        assertEquals(EXPIRED, e.state());
        assertNull(e.expiresAt());
        assertEquals(new ConsentEvent.Actor(ActorType.SYSTEM, "consent-service"), e.evidence().actor());
        assertNull(e.evidence().ipPrefix());
    }

    @Test
    void anExpiryNoLongerDuePlansNothing() {
        Map<String, CurrentConsent> current = new HashMap<>();
        current.put("analytics-cookies", new CurrentConsent(GRANTED, NOW.plusSeconds(60))); // renewed since picked
        current.put("newsletter", new CurrentConsent(WITHDRAWN, null));                   // changed since picked
        ConsentRequest expiry = request(change("analytics-cookies", EXPIRE, null), change("newsletter", EXPIRE, null),
                change("sms-offers", EXPIRE, null));                                      // never granted
        assertEquals(List.of(), planner.plan(subject(9, current), CATALOG, expiry, FROM_APP, NOW));
    }

    @Test
    void aPurposeMissingFromTheCatalogIsAnUnknownPurpose() {
        ProblemException e = refused(() -> plan(subject(0, Map.of()), request(
                change("newsletter", GRANT, "2025-01"), change("no-such-purpose", WITHDRAW, null))));
        assertEquals(ConsentProblem.UNKNOWN_PURPOSE, e.type());
        assertEquals("/changes/1/purpose", e.errors().get(0).pointer());
        assertEquals("purpose 'no-such-purpose' does not exist in this tenant", e.getMessage());
    }

    @Test
    void anInactivePurposeTakesNoGrantButCanStillBeWithdrawn() {
        ProblemException e = refused(() -> plan(subject(0, Map.of()), request(change("retired-offers", GRANT, "v1"))));
        assertEquals(ConsentProblem.UNKNOWN_PURPOSE, e.type());
        assertEquals("purpose 'retired-offers' is not active in this tenant: it takes no new consent", e.getMessage());

        Map<String, CurrentConsent> current = Map.of("retired-offers", new CurrentConsent(GRANTED, null));
        ConsentEvent withdraw = plan(subject(1, current), request(change("retired-offers", WITHDRAW, null))).get(0);
        assertEquals(WITHDRAWN, withdraw.state());
    }

    @Test
    void anUnpublishedNoticeVersionIsAnUnknownNotice() {
        ProblemException e = refused(() -> plan(subject(0, Map.of()), request(change("newsletter", GRANT, "2099-01"))));
        assertEquals(ConsentProblem.UNKNOWN_NOTICE, e.type());
        assertEquals("/changes/0/noticeVersion", e.errors().get(0).pointer());
    }

    @Test
    void theNoticeIsTakenInTheEvidenceLanguageElseTheFirstLanguagePublished() {
        ConsentRequest inEnglish = new ConsentRequest(List.of(change("newsletter", GRANT, "2025-01")),
                new EvidenceRequest(null, null, "en", null, null, null), null);
        ConsentEvent.Notice shown = plan(subject(0, Map.of()), inEnglish).get(0).notice();
        assertEquals(new ConsentEvent.Notice("2025-01", "en", "ab".repeat(32), null, true), shown);

        ConsentRequest inGerman = new ConsentRequest(List.of(change("newsletter", GRANT, "2025-01")),
                new EvidenceRequest(null, null, "de", null, null, null), null);
        assertEquals("da", plan(subject(0, Map.of()), inGerman).get(0).notice().language());
        assertEquals("da", plan(subject(0, Map.of()), request(change("newsletter", GRANT, "2025-01"))).get(0)
                .notice().language());
    }

    @Test
    void occurredAtMayLieWithinTheClockSkewButNotBeyondIt() {
        Instant withinSkew = NOW.plus(Duration.ofMinutes(5));
        ConsentRequest near = new ConsentRequest(List.of(change("newsletter", WITHDRAW, null)),
                new EvidenceRequest(null, null, null, withinSkew, null, null), null);
        ConsentEvent e = plan(subject(0, Map.of()), near).get(0);
        assertEquals(withinSkew, e.occurredAt());
        assertEquals(NOW, e.recordedAt());

        ConsentRequest far = new ConsentRequest(List.of(change("newsletter", WITHDRAW, null)),
                new EvidenceRequest(null, null, null, withinSkew.plusSeconds(1), null, null), null);
        ProblemException refused = refused(() -> plan(subject(0, Map.of()), far));
        assertEquals(ConsentProblem.FUTURE_TIMESTAMP, refused.type());
        assertEquals("/evidence/occurredAt", refused.errors().get(0).pointer());
    }

    @Test
    void occurredAtDefaultsToTheServerTime() {
        assertEquals(NOW, plan(subject(0, Map.of()), request(change("newsletter", WITHDRAW, null))).get(0).occurredAt());
    }

    @Test
    void anAppRelayingForADeviceRecordsTheDevicesTruncatedAddressAndUserAgent() {
        ConsentRequest relayed = new ConsentRequest(List.of(change("newsletter", GRANT, "2025-01")),
                new EvidenceRequest(new SourceRequest("acme-app", "ios", "4.1.0", "settings/notifications"),
                        new ActorRequest(ActorType.AGENT, null), "da", null, "203.0.113.77", "x".repeat(600)), null);
        ConsentEvent.Evidence ev = plan(subject(0, Map.of()), relayed).get(0).evidence();
        assertEquals(new ConsentEvent.Source("acme-app", "ios", "4.1.0", "settings/notifications"), ev.source());
        assertEquals(new ConsentEvent.Actor(ActorType.AGENT, "acme-backend"), ev.actor(), "an agent without id is the token's client");
        assertEquals("203.0.113.0/24", ev.ipPrefix());
        assertEquals("x".repeat(512), ev.userAgent());
        assertEquals("da", ev.language());
    }

    @Test
    void withoutRelayedEvidenceTheConnectionsAddressAndUserAgentAreRecorded() {
        ConsentEvent.Evidence ev = plan(subject(0, Map.of()), request(change("newsletter", WITHDRAW, null))).get(0).evidence();
        assertEquals("198.51.100.0/24", ev.ipPrefix());
        assertEquals("acme-backend/1.0", ev.userAgent());
        assertEquals(new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), ev.actor());
    }

    @Test
    void aSubjectsOwnTokenAlwaysActsAsThatSubjectAndRelaysNothing() {
        WriteContext own = new WriteContext(new Caller("acme", "user-42", Set.of(Caller.SUBJECT)), null, null,
                "2001:db8:1234:5678::1", "Mobile Safari");
        ConsentRequest claimed = new ConsentRequest(List.of(change("newsletter", WITHDRAW, null)),
                new EvidenceRequest(null, new ActorRequest(ActorType.SUBJECT, "someone-else"), null, null, null, "spoofed"), null);
        ConsentEvent.Evidence ev = plan(subject(0, Map.of()), claimed, own).get(0).evidence();
        assertEquals(new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), ev.actor());
        assertEquals("2001:db8:1234:0:0:0:0:0/48", ev.ipPrefix());
        assertEquals("Mobile Safari", ev.userAgent(), "only an app may relay a user agent");
    }

    @Test
    void anEventThatWouldBreakTheContractIsRefusedAtTheRequestField() {
        ConsentRequest emptyAppId = new ConsentRequest(List.of(change("newsletter", WITHDRAW, null)),
                new EvidenceRequest(new SourceRequest("", null, null, null), null, null, null, null, null), null);
        ProblemException e = refused(() -> plan(subject(0, Map.of()), emptyAppId));
        assertEquals(CommonProblem.VALIDATION, e.type());
        assertEquals(List.of("/evidence/source/appId"), e.errors().stream().map(FieldError::pointer).toList());
        assertTrue(e.getMessage().startsWith("the consent event for 'newsletter' would break the event contract: "),
                e.getMessage());
    }

    @Test
    void eachPlannedEventCarriesTheJsonTheOutboxPublishes() {
        PlannedEvent planned = planner.plan(subject(0, Map.of()), CATALOG,
                request(change("newsletter", GRANT, "2025-01")), FROM_APP, NOW).get(0);
        assertTrue(planned.payload().contains("\"eventId\":\"" + planned.event().eventId() + "\""), planned.payload());
        assertTrue(planned.payload().contains("\"state\":\"GRANTED\""), planned.payload());
        assertTrue(planned.payload().contains("\"subjectSeq\":1"), planned.payload());
    }
}
