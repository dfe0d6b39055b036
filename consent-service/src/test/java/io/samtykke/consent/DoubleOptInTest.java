package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.confirmation.ConfirmationTokens;
import io.samtykke.consent.maintenance.ExpiryJob;
import io.samtykke.consent.maintenance.StorageMaintenance;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Double opt-in with proof: a grant of a doubleOptIn purpose publishes a confirmation request with a single-use token
 * on the confirmations topic; only the person's click on its link grants, with the click as evidence.
 */
@QuarkusTest
class DoubleOptInTest {

    private static final String PROBLEMS = "https://samtykke.io/problems/";

    @Inject
    ExpiryJob expiry;

    @Inject
    StorageMaintenance maintenance;

    private static Api newsletterTenant() {
        Api api = Api.newTenant();
        api.purpose("newsletter", "EMAIL", "CONSENT", "MARKETING", true, null);
        return api;
    }

    private static String signUp(Api api, String subjectId, String purpose) {
        return api.as("app").body(Map.of("changes", List.of(Map.of("purpose", purpose, "action", "GRANT", "noticeVersion", "v1")),
                        "evidence", Map.of("language", "da", "source", Map.of("collectionPoint", "signup-form"))))
                .post("/v1/subjects/" + subjectId + "/consents")
                .then().statusCode(201).body("records[0].state", equalTo("PENDING_CONFIRMATION"))
                .extract().path("records[0].eventId");
    }

    /** The confirmation request for {@code pendingEventId}, read from the confirmations topic as a sender would. */
    private static ConfirmationRequest requestFor(Api api, String pendingEventId) {
        try (TopicReader confirmations = new TopicReader(Topics.CONSENT_CONFIRMATIONS)) {
            ConsumerRecord<String, byte[]> r = confirmations.await(c -> api.tenant.equals(header(c, "ce_tenantid"))
                    && EventContract.assertConfirmationRequest(c).pendingEventId().toString().equals(pendingEventId),
                    1, Duration.ofSeconds(30)).get(0);
            return EventContract.assertConfirmationRequest(r);
        }
    }

    private static io.restassured.response.ValidatableResponse click(String token) {
        return RestAssured.given().header("User-Agent", "Mozilla/5.0 (Mail)").post("/v1/confirmations/" + token).then();
    }

    private static String state(Api api, String subjectId, String purpose) {
        return api.as("app").get("/v1/subjects/" + subjectId + "/consents").then().statusCode(200)
                .extract().path("consents.find { it.purpose == '" + purpose + "' }.state");
    }

    @Test
    void aDoubleOptInGrantPublishesASingleUseLinkWhoseTokenIsStoredOnlyAsItsHash() {
        Api api = newsletterTenant();
        Instant before = Instant.now();
        String pending = signUp(api, "anna", "newsletter");

        ConfirmationRequest request = requestFor(api, pending);
        assertEquals("anna", request.subjectId());
        assertEquals("newsletter", request.purpose());
        assertEquals("EMAIL", request.channel().name());
        assertEquals("da", request.language());
        assertTrue(ConfirmationTokens.wellFormed(request.token()), request.token());
        assertEquals("http://127.0.0.1:8081/v1/confirmations/" + request.token(), request.confirmationUrl());
        Duration ttl = Duration.between(request.requestedAt(), request.expiresAt());
        assertEquals(Duration.ofDays(7), ttl, "the default confirmation TTL");
        assertTrue(!request.requestedAt().isBefore(before.minusSeconds(1)), request.requestedAt().toString());

        assertEquals(1, api.count("select count(*) from confirmation_token where tenant_id = ? and token_sha256 = ?",
                api.tenant, ConfirmationTokens.sha256(request.token())));
        assertEquals(0, api.count("""
                select count(*) from confirmation_token t join outbox o on o.tenant_id = t.tenant_id
                where t.tenant_id = ? and (o.payload like ? or t.token_sha256 = ?)""",
                api.tenant, "%" + request.token() + "%", request.token()), "the token is in no table");
        assertEquals("PENDING_CONFIRMATION", state(api, "anna", "newsletter"));
    }

    @Test
    void openingTheLinkChangesNothingAndItsButtonGrantsOnceWithTheProofOfTheClick() {
        Api api = newsletterTenant();
        String pending = signUp(api, "bo", "newsletter");
        ConfirmationRequest request = requestFor(api, pending);
        ConfirmationRequest inBrowser = requestFor(api, signUp(api, "bo-browser", "newsletter"));
        RestAssured.given().accept("text/html,application/xhtml+xml").contentType(ContentType.URLENC)
                .post("/v1/confirmations/" + inBrowser.token()).then().statusCode(200)
                .contentType(containsString("text/html")).body(containsString("newsletter"));
        assertEquals("GRANTED", state(api, "bo-browser", "newsletter"));

        // a mail scanner prefetching the link, or the person opening it, confirms nothing
        RestAssured.given().get("/v1/confirmations/" + request.token()).then().statusCode(200)
                .contentType(containsString("text/html")).header("Cache-Control", "no-store")
                .body(containsString("<form method=\"post\"")).body(containsString("newsletter"));
        assertEquals("PENDING_CONFIRMATION", state(api, "bo", "newsletter"));
        assertEquals(1, api.records("bo"));

        String granted = click(request.token()).statusCode(200).contentType(ContentType.JSON)
                .body("purpose", equalTo("newsletter"))
                .body("record.action", equalTo("CONFIRM"))
                .body("record.previousState", equalTo("PENDING_CONFIRMATION"))
                .body("record.state", equalTo("GRANTED"))
                .extract().path("record.eventId");
        assertEquals("GRANTED", state(api, "bo", "newsletter"));
        api.as("app").get("/v1/subjects/bo/consents/history").then().statusCode(200)
                .body("records[1].eventId", equalTo(granted))
                .body("records[1].actor.type", equalTo("SUBJECT"))
                .body("records[1].actor.id", equalTo("bo"))
                .body("records[1].source.collectionPoint", equalTo("double-opt-in"))
                .body("records[1].ipPrefix", equalTo("127.0.0.0/24"))
                .body("records[1].userAgent", equalTo("Mozilla/5.0 (Mail)"))
                .body("records[1].noticeVersion", equalTo("v1"))
                .body("records[1].confirmation.tokenId", equalTo(request.tokenId().toString()))
                .body("records[1].confirmation.pendingEventId", equalTo(pending))
                .body("records[1].confirmation.requestedAt", not(equalTo(null)));

        try (TopicReader events = new TopicReader(Topics.CONSENT_EVENTS)) {
            ConsentEvent event = EventContract.assertConsentEvent(events.await(r -> granted.equals(header(r, "ce_id")), 1,
                    Duration.ofSeconds(30)).get(0));
            assertEquals(new ConsentEvent.Confirmation(request.tokenId(), request.pendingEventId(), request.requestedAt(),
                    event.occurredAt()), event.evidence().confirmation());
            assertEquals("double-opt-in", event.evidence().source().collectionPoint());
            assertEquals("127.0.0.0/24", event.evidence().ipPrefix());
            assertEquals("v1", event.notice().version(), "the notice the person signed up under");
        }

        // the second click (here from the page's button in a browser): a clear problem, nothing changed
        RestAssured.given().accept("text/html,application/xhtml+xml").contentType(ContentType.URLENC)
                .post("/v1/confirmations/" + request.token()).then().statusCode(409)
                .contentType("application/problem+json").body("type", equalTo(PROBLEMS + "confirmation-used"));
        click(request.token()).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "confirmation-used"));
        RestAssured.given().get("/v1/confirmations/" + request.token()).then().statusCode(409)
                .contentType("application/problem+json");
        assertEquals(2, api.records("bo"));
        assertEquals("GRANTED", state(api, "bo", "newsletter"));
    }

    @Test
    void anExpiredLinkConfirmsNothingAndThePendingConsentExpires() throws Throwable {
        Api api = newsletterTenant();
        String pending = signUp(api, "cai", "newsletter");
        ConfirmationRequest request = requestFor(api, pending);
        // a week later: the link and the pending consent are past their expiry
        api.count("""
                with t as (update confirmation_token set expires_at = now() - interval '1 minute' where tenant_id = ? returning 1),
                     c as (update consent_current set expires_at = now() - interval '1 minute' where tenant_id = ? returning 1)
                select (select count(*) from t) + (select count(*) from c)""", api.tenant, api.tenant);

        click(request.token()).statusCode(410).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "confirmation-expired"));
        assertEquals(1, api.records("cai"));

        VertxContextSupport.subscribeAndAwait(() -> expiry.run());
        api.expiredBySystem("cai", 1).body("records[1].previousState", equalTo("PENDING_CONFIRMATION"));
        try (TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            var records = optouts.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 1, Duration.ofSeconds(30));
            assertEquals("io.samtykke.consent.expired.v1", header(records.get(0), "ce_type"));
        }
        click(request.token()).statusCode(410);
        assertEquals(2, api.records("cai"));
    }

    @Test
    void neitherAnAppNorThePersonsOwnTokenCanConfirmWithoutTheLink() {
        Api api = newsletterTenant();
        signUp(api, "dan", "newsletter");
        api.change("dan", "newsletter", "CONFIRM").statusCode(422).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "confirmation-required"))
                .body("errors[0].pointer", equalTo("/changes/0/action"));
        api.asSubject("dan").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "CONFIRM"))))
                .post("/v1/subjects/dan/consents").then().statusCode(422)
                .body("type", equalTo(PROBLEMS + "confirmation-required"));
        assertEquals(1, api.records("dan"));
        assertEquals("PENDING_CONFIRMATION", state(api, "dan", "newsletter"));
    }

    @Test
    void aLinkConfirmsOnlyTheTenantSubjectPurposeAndPendingRecordItWasSentFor() {
        Api acme = newsletterTenant();
        acme.purpose("sms-news", "SMS", "CONSENT", "MARKETING", true, null);
        Api other = newsletterTenant();
        ConfirmationRequest annaNewsletter = requestFor(acme, signUp(acme, "anna", "newsletter"));
        signUp(acme, "anna", "sms-news");
        signUp(acme, "erik", "newsletter");
        signUp(other, "anna", "newsletter");

        click(annaNewsletter.token()).statusCode(200).body("record.state", equalTo("GRANTED"));
        assertEquals("GRANTED", state(acme, "anna", "newsletter"));
        assertEquals("PENDING_CONFIRMATION", state(acme, "anna", "sms-news"));
        assertEquals("PENDING_CONFIRMATION", state(acme, "erik", "newsletter"));
        assertEquals("PENDING_CONFIRMATION", state(other, "anna", "newsletter"));

        // signing up again sends a new link; the first one is superseded
        ConfirmationRequest first = requestFor(acme, signUp(acme, "erik", "sms-news"));
        ConfirmationRequest second = requestFor(acme, signUp(acme, "erik", "sms-news"));
        assertNotEquals(first.token(), second.token());
        click(first.token()).statusCode(409).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "confirmation-superseded"));
        assertEquals("PENDING_CONFIRMATION", state(acme, "erik", "sms-news"));
        click(second.token()).statusCode(200).body("record.state", equalTo("GRANTED"));

        // a made-up token of the right shape and anything else are unknown
        click("A".repeat(43)).statusCode(404).contentType("application/problem+json")
                .body("type", equalTo(PROBLEMS + "unknown-confirmation"));
        click("not-a-token").statusCode(404).contentType("application/problem+json");
        assertEquals(3, acme.records("anna"), "two pending records and one confirmation");
        assertEquals(4, acme.records("erik"), "three pending records and one confirmation");
    }

    @Test
    void tokensUsedOrExpiredLongerAgoThanTheRetentionAreDeletedAndTheConfirmationKeepsItsProof() throws Throwable {
        Api api = newsletterTenant();
        String pending = signUp(api, "clicked", "newsletter");
        ConfirmationRequest clicked = requestFor(api, pending);
        String confirmed = click(clicked.token()).statusCode(200).extract().path("record.eventId");
        ConfirmationRequest clickedLately = requestFor(api, signUp(api, "clicked-lately", "newsletter"));
        click(clickedLately.token()).statusCode(200);
        ConfirmationRequest unanswered = requestFor(api, signUp(api, "unanswered", "newsletter"));
        ConfirmationRequest expiredLately = requestFor(api, signUp(api, "expired-lately", "newsletter"));
        ConfirmationRequest waiting = requestFor(api, signUp(api, "waiting", "newsletter"));
        // time passes: 31 days since the first click and since the unanswered link expired; 29 for the other two
        api.execute("update confirmation_token set used_at = now() - interval '31 days' where tenant_id = ? and subject_id = 'clicked'",
                api.tenant);
        api.execute("update confirmation_token set used_at = now() - interval '29 days' where tenant_id = ? and subject_id = 'clicked-lately'",
                api.tenant);
        api.execute("""
                update confirmation_token set requested_at = now() - interval '38 days', expires_at = now() - interval '31 days'
                where tenant_id = ? and subject_id = 'unanswered'""", api.tenant);
        api.execute("""
                update confirmation_token set requested_at = now() - interval '36 days', expires_at = now() - interval '29 days'
                where tenant_id = ? and subject_id = 'expired-lately'""", api.tenant);

        StorageMaintenance.Deleted deleted = VertxContextSupport.subscribeAndAwait(() -> maintenance.run());

        assertEquals("clicked-lately,expired-lately,waiting", api.text(
                "select string_agg(subject_id, ',' order by subject_id) from confirmation_token where tenant_id = ?", api.tenant),
                "used or expired more than the 30 days of the default retention ago: gone; the rest stays");
        assertEquals(2, deleted.confirmationTokens(), "this tenant's two are the only ones old enough: " + deleted);
        // the record the deleted token confirmed still shows the proof of the click
        api.as("app").get("/v1/subjects/clicked/consents/history").then().statusCode(200)
                .body("records[1].eventId", equalTo(confirmed))
                .body("records[1].action", equalTo("CONFIRM"))
                .body("records[1].confirmation.tokenId", equalTo(clicked.tokenId().toString()))
                .body("records[1].confirmation.pendingEventId", equalTo(pending))
                .body("records[1].confirmation.requestedAt", equalTo(clicked.requestedAt().toString()));
        assertEquals("GRANTED", state(api, "clicked", "newsletter"));
        // a deleted token's link is unknown now; the kept ones answer as before, and the waiting one still confirms
        click(clicked.token()).statusCode(404).body("type", equalTo(PROBLEMS + "unknown-confirmation"));
        click(unanswered.token()).statusCode(404).body("type", equalTo(PROBLEMS + "unknown-confirmation"));
        click(clickedLately.token()).statusCode(409).body("type", equalTo(PROBLEMS + "confirmation-used"));
        click(expiredLately.token()).statusCode(410).body("type", equalTo(PROBLEMS + "confirmation-expired"));
        click(waiting.token()).statusCode(200).body("record.state", equalTo("GRANTED"));
    }
}
