package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.consent.purpose.PurposeService;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ConsentWriteTest {

    @Test
    void aCookieBannerWritesAllItsTogglesAtomicallyWithEvidence() {
        Api api = Api.newTenant();
        api.purpose("analytics-cookies", "COOKIE", "CONSENT", "ANALYTICS", false, "P13M");
        api.purpose("marketing-cookies", "COOKIE", "CONSENT", "MARKETING", false, "P13M");
        api.purpose("necessary-cookies", "COOKIE", "CONTRACT", "NECESSARY", false, null);
        Instant occurred = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.SECONDS);

        var written = api.as("app").header("User-Agent", "Mozilla/5.0 (iPhone)")
                .body(Map.of("changes", List.of(
                                Map.of("purpose", "analytics-cookies", "action", "GRANT", "noticeVersion", "v1"),
                                Map.of("purpose", "marketing-cookies", "action", "DENY", "noticeVersion", "v1"),
                                Map.of("purpose", "necessary-cookies", "action", "GRANT", "noticeVersion", "v1")),
                        "evidence", Map.of("source", Map.of("appId", "web-shop", "platform", "web",
                                        "collectionPoint", "cookie-banner"),
                                "language", "da", "occurredAt", occurred.toString(), "ipAddress", "198.51.100.23")))
                .post("/v1/subjects/visitor-1/consents")
                .then().statusCode(201)
                .body("records", hasSize(3))
                .body("records.subjectSeq", equalTo(List.of(1, 2, 3)))
                .body("records[1].state", equalTo("DENIED"))
                .body("records[2].expiresAt", nullValue())
                .body("records[0].receipt", startsWith("http"))
                .extract().jsonPath();
        assertEquals(Api.expiry(written.getString("records[0].recordedAt"), "P13M"),
                Instant.parse(written.getString("records[0].expiresAt")), "a P13M purpose expires 13 months after the grant");

        assertEquals(3, api.records("visitor-1"));
        assertEquals(1, api.count("""
                select count(*) from consent_record where tenant_id = ? and subject_id = 'visitor-1'
                  and purpose_key = 'analytics-cookies' and ip_prefix = '198.51.100.0/24' and user_agent is not null
                  and occurred_at = ?::timestamptz and collection_point = 'cookie-banner' and notice_sha256 = ?
                  and expires_at > recorded_at + interval '390 days'""", api.tenant, occurred.toString(),
                PurposeService.sha256(Api.noticeText("analytics-cookies"))));
        assertEquals(3, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'visitor-1'", api.tenant));
    }

    @Test
    void oneBadToggleRejectsTheWholeRequestAndWritesNothing() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("changes", List.of(
                        Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1"),
                        Map.of("purpose", "does-not-exist", "action", "GRANT", "noticeVersion", "v1"))))
                .post("/v1/subjects/bob/consents")
                .then().statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/unknown-purpose"))
                .body("errors[0].pointer", equalTo("/changes/1/purpose"));
        assertEquals(0, api.records("bob"));
        assertEquals(0, api.count("select count(*) from outbox where tenant_id = ?", api.tenant));
    }

    @Test
    void withdrawingNeedsNothingButThePurpose() {
        Api api = Api.withConsentPurpose("gps-tracking", "LOCATION");
        api.change("carl", "gps-tracking", "GRANT").statusCode(201);
        api.as("app").body("{\"changes\":[{\"purpose\":\"gps-tracking\",\"action\":\"WITHDRAW\"}]}")
                .post("/v1/subjects/carl/consents")
                .then().statusCode(201)
                .body("records[0].previousState", equalTo("GRANTED"))
                .body("records[0].state", equalTo("WITHDRAWN"));
        api.as("app").get("/v1/subjects/carl/consents").then().statusCode(200)
                .body("consents[0].state", equalTo("WITHDRAWN"));
        // re-grant is allowed
        api.change("carl", "gps-tracking", "GRANT").statusCode(201).body("records[0].state", equalTo("GRANTED"));
    }

    @Test
    void aPurposeTakenOutOfUseTakesNoNewConsentButCanStillBeWithdrawn() {
        Api api = Api.withConsentPurpose("sms-offers", "SMS");
        api.change("dag", "sms-offers", "GRANT").statusCode(201);
        api.as("admin").body(Map.of("names", Map.of("da", "SMS-tilbud"), "channel", "SMS", "legalBasis", "CONSENT",
                "category", "MARKETING", "active", false)).put("/v1/purposes/sms-offers").then().statusCode(200);

        api.change("dag", "sms-offers", "WITHDRAW").statusCode(201).body("records[0].state", equalTo("WITHDRAWN"));
        api.change("eva", "sms-offers", "DENY").statusCode(201).body("records[0].state", equalTo("DENIED"));
        api.change("dag", "sms-offers", "GRANT").statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/unknown-purpose"))
                .body("errors[0].pointer", equalTo("/changes/0/purpose"));
        assertEquals(2, api.records("dag"), "the grant and the withdrawal; the refused grant wrote nothing");
    }

    @Test
    void illegalTransitionsAreRefusedWithTheReason() {
        Api api = Api.withConsentPurpose("sms-offers", "SMS");
        api.change("dina", "sms-offers", "GRANT").statusCode(201);
        api.change("dina", "sms-offers", "DENY").statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/illegal-transition"))
                .body("errors[0].pointer", equalTo("/changes/0/action"))
                .body("detail", startsWith("DENY is not allowed from GRANTED"));
        api.change("dina", "sms-offers", "OBJECT").statusCode(409);
        api.change("dina", "sms-offers", "CONFIRM").statusCode(422).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/confirmation-required"))
                .body("errors[0].pointer", equalTo("/changes/0/action"));
        assertEquals(1, api.records("dina"));
    }

    @Test
    void legitimateInterestPurposesCanBeObjectedTo() {
        Api api = Api.newTenant();
        api.purpose("customer-offers", "EMAIL", "EXISTING_CUSTOMER", "MARKETING", false, null);
        api.change("frida", "customer-offers", "OBJECT").statusCode(201).body("records[0].state", equalTo("OBJECTED"));
        api.change("frida", "customer-offers", "DENY").statusCode(409);
    }

    @Test
    void grantWithoutNoticeVersionOrWithAnUnpublishedOneIsRefused() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT"))))
                .post("/v1/subjects/gus/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/changes/0/noticeVersion"));
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v9"))))
                .post("/v1/subjects/gus/consents").then().statusCode(422)
                .body("type", equalTo("https://samtykke.io/problems/unknown-notice"));
        assertEquals(0, api.records("gus"));
    }

    @Test
    void occurredAtInTheFutureIsRefused() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "evidence", Map.of("occurredAt", Instant.now().plusSeconds(3600).toString())))
                .post("/v1/subjects/hans/consents").then().statusCode(422)
                .body("type", equalTo("https://samtykke.io/problems/future-timestamp"))
                .body("errors[0].pointer", equalTo("/evidence/occurredAt"));
        assertEquals(0, api.records("hans"));
    }

    @Test
    void malformedJsonInvalidEnumsAndOversizedRequestsAreProblems() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body("{\"changes\": [").post("/v1/subjects/ida/consents").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/malformed-json"));
        api.as("app").body("{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"MAYBE\"}]}")
                .post("/v1/subjects/ida/consents").then().statusCode(400)
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors[0].pointer", equalTo("/changes/0/action"));
        List<Map<String, Object>> tooMany = java.util.stream.IntStream.range(0, 101)
                .mapToObj(i -> Map.<String, Object>of("purpose", "p" + i, "action", "WITHDRAW")).toList();
        api.as("app").body(Map.of("changes", tooMany)).post("/v1/subjects/ida/consents").then().statusCode(413)
                .body("type", equalTo("https://samtykke.io/problems/too-many-items"));
        String huge = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}],\"evidence\":{\"userAgent\":\""
                + "x".repeat(300 * 1024) + "\"}}";
        api.as("app").body(huge).post("/v1/subjects/ida/consents").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/payload-too-large"));
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/subjects/" + "x".repeat(200) + "/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/subjectId"));
        assertEquals(0, api.records("ida"));
    }

    @Test
    void responsesNeverCarryStackTraces() {
        Api api = Api.newTenant();
        String body = api.as("app").body("[1,2,3]").post("/v1/subjects/jens/consents").then().statusCode(400)
                .contentType("application/problem+json").extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(body.contains("at io.") || body.contains("Exception"), body);
    }

    @Test
    void samePurposeTwiceInOneRequestIsRefused() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("changes", List.of(
                        Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1"),
                        Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/subjects/karl/consents").then().statusCode(400)
                .body("errors.pointer", hasItem("/changes/1/purpose"));
    }
}
