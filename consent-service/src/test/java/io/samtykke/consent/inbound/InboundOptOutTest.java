package io.samtykke.consent.inbound;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.samtykke.consent.Api;
import io.samtykke.consent.InboundGatewayResource;
import io.samtykke.kit.webhook.WebhookSignature;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A person answers STOP to a marketing SMS, or unsubscribes by email address, through the tenant's gateway: every
 * subject with that number or address withdraws the marketing purposes on that channel, and nothing else changes.
 * The gateway is authenticated by its Standard Webhooks signature only.
 */
@QuarkusTest
class InboundOptOutTest {

    private static Api api() {
        return Api.catalogued(InboundGatewayResource.TENANT, api -> {
            api.purpose("sms-offers", "SMS", "CONSENT", "MARKETING", false, null);
            api.purpose("sms-news", "SMS", "CONSENT", "MARKETING", false, null);
            api.purpose("ride-receipts-sms", "SMS", "CONTRACT", "SERVICE_MESSAGES", false, null);
            api.purpose("newsletter", "EMAIL", "CONSENT", "MARKETING", false, null);
            api.purpose("push-offers", "PUSH", "CONSENT", "MARKETING", false, null);
        });
    }

    @Test
    void stopWithdrawsEverySmsMarketingPurposeOfEveryOwnerOfTheNumberAndNothingElse() {
        String anna = subject();
        String annasOtherAccount = subject();
        String bo = subject();
        grant(anna, "+4520000001", "sms-offers", "sms-news", "newsletter", "push-offers", "ride-receipts-sms");
        grant(annasOtherAccount, "+45 20 00 00 01", "sms-offers");
        grant(bo, "+4520000002", "sms-offers");

        sms(Map.of("from", "+4520000001", "to", "1919", "text", "  Stop.  ", "receivedAt", Instant.now().toString()))
                .statusCode(200).body("action", equalTo("WITHDRAWN")).body("keyword", equalTo("STOP"))
                .body("subjects", equalTo(2)).body("withdrawn", equalTo(4));

        assertEquals(Map.of("sms-offers", "WITHDRAWN", "sms-news", "WITHDRAWN", "newsletter", "GRANTED",
                "push-offers", "GRANTED", "ride-receipts-sms", "GRANTED"), api().states(anna));
        // the STOP is recorded for every SMS marketing purpose, also one never granted: the person said no to all of them
        assertEquals(Map.of("sms-offers", "WITHDRAWN", "sms-news", "WITHDRAWN"), api().states(annasOtherAccount));
        assertEquals(Map.of("sms-offers", "GRANTED"), api().states(bo), "another number is not touched");
        api().as("app").get("/v1/subjects/" + anna + "/consents/history?order=desc").then()
                .body("records[0].action", equalTo("WITHDRAW"))
                .body("records[0].actor.type", equalTo("SUBJECT"))
                .body("records[0].source.appId", equalTo("sms-gateway"))
                .body("records[0].source.collectionPoint", equalTo("sms-reply/STOP"));

        long before = api().records(anna);
        sms(Map.of("from", "+4520000001", "text", "STOPP")).statusCode(200).body("withdrawn", equalTo(0));
        assertEquals(before, api().records(anna), "a second STOP (or the gateway's retry) records nothing twice");
    }

    @Test
    void everyStopKeywordAndTheTenantsOwnWorkOtherTextsAreIgnored() {
        for (String keyword : List.of("STOP", "stopp", "Afmeld", "UNSUBSCRIBE please", "slut")) {
            String s = subject();
            String number = "+45" + (30_000_000 + Math.abs(s.hashCode() % 9_999_999));
            grant(s, number, "sms-offers");
            sms(Map.of("from", number, "text", keyword)).statusCode(200).body("action", equalTo("WITHDRAWN"));
            assertEquals(Map.of("sms-offers", "WITHDRAWN", "sms-news", "WITHDRAWN"), api().states(s), keyword);
        }
        String s = subject();
        grant(s, "+4540000009", "sms-offers");
        for (String text : List.of("Thanks!", "START", "please stop", "STOPPED")) {
            sms(Map.of("from", "+4540000009", "text", text)).statusCode(200).body("action", equalTo("IGNORED"));
        }
        assertEquals(Map.of("sms-offers", "GRANTED"), api().states(s));
    }

    @Test
    void anEmailUnsubscribeWithdrawsEmailMarketingOrTheNamedPurposes() {
        String s = subject();
        api().purpose("offers-mail", "EMAIL", "CONSENT", "MARKETING", false, null);
        api().as("app").body(Map.of("changes", List.of(grantOf("newsletter"), grantOf("offers-mail"), grantOf("sms-offers")),
                        "identifiers", List.of(Map.of("type", "EMAIL", "value", s + "@example.dk"))))
                .post("/v1/subjects/" + s + "/consents").then().statusCode(201);
        post("/email-unsubscribe", Map.of("address", s.toUpperCase() + "@EXAMPLE.DK", "purposes", List.of("newsletter")))
                .statusCode(200).body("withdrawn", equalTo(1));
        assertEquals(Map.of("newsletter", "WITHDRAWN", "offers-mail", "GRANTED", "sms-offers", "GRANTED"), api().states(s));
        post("/email-unsubscribe", Map.of("address", s + "@example.dk")).statusCode(200).body("withdrawn", equalTo(1));
        assertEquals(Map.of("newsletter", "WITHDRAWN", "offers-mail", "WITHDRAWN", "sms-offers", "GRANTED"), api().states(s));
    }

    @Test
    void unsignedForgedStaleOrAlteredRequestsAreRefusedAndChangeNothing() {
        String s = subject();
        grant(s, "+4550000001", "sms-offers");
        String body = "{\"from\":\"+4550000001\",\"text\":\"STOP\"}";
        String id = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        String good = WebhookSignature.sign(InboundGatewayResource.SECRET, id, now, body);
        List<Map<String, String>> attacks = List.of(
                Map.of(),
                Map.of("webhook-id", id, "webhook-timestamp", "" + now),
                Map.of("webhook-id", id, "webhook-timestamp", "" + now,
                        "webhook-signature", WebhookSignature.sign(WebhookSignature.newSecret(), id, now, body)),
                Map.of("webhook-id", id, "webhook-timestamp", "" + (now - 600),
                        "webhook-signature", WebhookSignature.sign(InboundGatewayResource.SECRET, id, now - 600, body)),
                Map.of("webhook-id", "other", "webhook-timestamp", "" + now, "webhook-signature", good));
        for (Map<String, String> headers : attacks) {
            RestAssured.given().contentType(ContentType.JSON).headers(headers).body(body)
                    .post("/v1/inbound/" + InboundGatewayResource.TENANT + "/sms")
                    .then().statusCode(401).contentType("application/problem+json");
        }
        RestAssured.given().contentType(ContentType.JSON).headers(Map.of("webhook-id", id, "webhook-timestamp", "" + now,
                        "webhook-signature", good)).body(body.replace("+4550000001", "+4550000002"))
                .post("/v1/inbound/" + InboundGatewayResource.TENANT + "/sms").then().statusCode(401);
        RestAssured.given().contentType(ContentType.JSON).headers(Map.of("webhook-id", id, "webhook-timestamp", "" + now,
                        "webhook-signature", good)).body(body)
                .post("/v1/inbound/another-tenant/sms").then().statusCode(401).contentType("application/problem+json");
        assertEquals(Map.of("sms-offers", "GRANTED"), api().states(s));
    }

    @Test
    void aSignedButInvalidMessageIsAProblemAndChangesNothing() {
        String s = subject();
        grant(s, "+4560000001", "sms-offers");
        post("/sms", Map.of("text", "STOP")).statusCode(400).contentType("application/problem+json")
                .body("errors[0].pointer", equalTo("/from"));
        post("/sms", Map.of("from", "not a number", "text", "STOP")).statusCode(400).body("errors[0].pointer", equalTo("/from/value"));
        post("/sms", Map.of("from", "+4560000001", "text", "STOP", "receivedAt", "0000-01-01T00:00:00Z")).statusCode(400);
        signed("/sms", "{\"from\":\"+4560000001\",\"text\":\"STOP\"").statusCode(400).contentType("application/problem+json");
        assertEquals(Map.of("sms-offers", "GRANTED"), api().states(s));
    }

    private static ValidatableResponse sms(Map<String, Object> body) {
        return post("/sms", body);
    }

    private static ValidatableResponse post(String path, Map<String, Object> body) {
        try {
            return signed(path, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ValidatableResponse signed(String path, String body) {
        String id = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        return RestAssured.given().contentType(ContentType.JSON)
                .header("webhook-id", id).header("webhook-timestamp", "" + now)
                .header("webhook-signature", WebhookSignature.sign(InboundGatewayResource.SECRET, id, now, body))
                .body(body).post("/v1/inbound/" + InboundGatewayResource.TENANT + path).then();
    }

    private static String subject() {
        return "p-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static Map<String, Object> grantOf(String purpose) {
        return Map.of("purpose", purpose, "action", "GRANT", "noticeVersion", "v1");
    }

    private static void grant(String subject, String phone, String... purposes) {
        api().as("app").body(Map.of("changes", java.util.Arrays.stream(purposes).map(InboundOptOutTest::grantOf).toList(),
                        "identifiers", List.of(Map.of("type", "PHONE", "value", phone))))
                .post("/v1/subjects/" + subject + "/consents").then().statusCode(201);
    }
}
