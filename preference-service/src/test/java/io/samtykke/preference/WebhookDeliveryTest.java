package io.samtykke.preference;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.PreferenceEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.samtykke.preference.Api.preferences;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opt-outs delivered to tools that do not speak Kafka: signed, retried, ordered per person, dead-lettered, replayable. */
@QuarkusTest
class WebhookDeliveryTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    /** What a subscription naming no types gets: the opt-outs, per purpose and the person's objection to all marketing. */
    static final List<String> DEFAULT_TYPES = List.of("io.samtykke.consent.denied.v1", "io.samtykke.consent.withdrawn.v1",
            "io.samtykke.consent.expired.v1", "io.samtykke.consent.objected.v1", "io.samtykke.subject.objected.v1",
            "io.samtykke.subject.restricted.v1");
    static final List<String> ALL_CONSENT_TYPES = java.util.Arrays.stream(ConsentEventType.values()).map(ConsentEventType::type).toList();

    @Test
    void aSubscriptionShowsItsSecretOnceAndReceivesSignedOptOutsOnly() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonPath created = api.asMarketing().body(Map.of("url", receiver.url(), "description", "CRM"))
                    .post("/v1/webhooks").then().statusCode(201)
                    .header("Location", containsString("/v1/webhooks/"))
                    .body("secret", startsWith("whsec_"))
                    .body("eventTypes", equalTo(DEFAULT_TYPES))
                    .extract().jsonPath();
            receiver.secret(created.getString("secret"));
            String id = created.getString("id");
            api.asMarketing().get("/v1/webhooks").then().statusCode(200)
                    .body("subscriptions[0].id", equalTo(id)).body("subscriptions[0].secret", nullValue());
            api.asAdmin().get("/v1/webhooks/" + id).then().statusCode(200).body("secret", nullValue());

            api.grant("anna", "newsletter");
            ConsentEvent withdrawal = api.withdraw("anna", "newsletter");
            WebhookReceiver.Received got = receiver.awaitAcknowledged(r -> true, 1, WAIT).get(0);
            assertTrue(got.verified(), "the Standard Webhooks signature verifies with the subscription's secret");
            assertEquals(withdrawal.eventId().toString(), got.webhookId());
            assertEquals("io.samtykke.consent.withdrawn.v1", got.type());
            assertEquals(withdrawal, EventJson.read(got.json().path("data").toString(), ConsentEvent.class));
            // a negative check: were the grant delivered, it would arrive within this half second, as the withdrawal did
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertEquals(1, receiver.all().size(), "the grant is not an opt-out and is not delivered"));
        }
    }

    @Test
    void aReceiverThatFailsThenRecoversGetsEveryEventOnceAcknowledgedInOrderPerSubject() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String id = subscribe(api, receiver, ALL_CONSENT_TYPES);
            receiver.failAll(true);
            List<String> subjects = List.of("p1", "p2", "p3");
            Map<String, List<String>> sent = new java.util.HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (String s : subjects) {
                    sent.computeIfAbsent(s, k -> new ArrayList<>()).add(api.grant(s, "newsletter").eventId().toString());
                    sent.get(s).add(api.withdraw(s, "newsletter").eventId().toString());
                }
            }
            awaitFailures(receiver, 3);
            receiver.failAll(false);

            receiver.awaitAcknowledged(r -> true, 12, WAIT);
            // a negative check: no event is acknowledged a second time for a while after the twelfth
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> receiver.acknowledged(r -> true).size() == 12);
            List<WebhookReceiver.Received> acked = receiver.acknowledged(r -> true);
            assertEquals(12, acked.size(), "every event acknowledged exactly once");
            assertEquals(12, acked.stream().map(WebhookReceiver.Received::webhookId).distinct().count());
            for (String s : subjects) {
                assertEquals(sent.get(s), acked.stream().filter(r -> r.subjectId().equals(s)).map(WebhookReceiver.Received::webhookId).toList(),
                        "subject " + s + "'s events arrive in the order they happened");
            }
            assertTrue(receiver.all().stream().anyMatch(r -> r.answered() == 503));

            JsonPath ledger = api.asMarketing().get("/v1/webhooks/" + id + "/deliveries?subjectId=p1").then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(4, ledger.getList("deliveries").size());
            assertEquals(Set.of("DELIVERED"), new HashSet<>(ledger.getList("deliveries.status")));
            int first = ledger.getList("deliveries").size() - 1;
            assertTrue(ledger.getInt("deliveries[" + first + "].attempts") >= 2, "the first one failed before it was acknowledged");
            assertEquals(503, ledger.getInt("deliveries[" + first + "].attemptLog[0].statusCode"));
            assertEquals(204, ledger.getInt("deliveries[" + first + "].attemptLog[-1].statusCode"));
        }
    }

    @Test
    void aFailingSubjectHoldsBackOnlyItsOwnLaterEventsAndIsReplayedFromTheDeadLetters() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String id = subscribe(api, receiver, ALL_CONSENT_TYPES);
            receiver.failFor("stuck");
            ConsentEvent stuck = api.grant("stuck", "newsletter");
            String first = stuck.eventId().toString();
            String second = api.withdraw("stuck", "newsletter").eventId().toString();
            api.grant("free", "newsletter");
            api.withdraw("free", "newsletter");
            receiver.awaitAcknowledged(r -> r.subjectId().equals("free"), 2, WAIT);

            JsonPath dead = awaitLedger(api, id, "DEAD", 1);
            assertEquals(first, dead.getString("deliveries[0].eventId"));
            assertEquals(6, dead.getInt("deliveries[0].attempts"));
            assertEquals(6, dead.getList("deliveries[0].attemptLog").size());
            assertEquals("HTTP 503", dead.getString("deliveries[0].lastError"));
            JsonPath held = api.asMarketing().get("/v1/webhooks/" + id + "/deliveries?status=PENDING").then().extract().jsonPath();
            assertEquals(List.of(second), held.getList("deliveries.eventId"));
            assertEquals(0, held.getInt("deliveries[0].attempts"), "the later event waits without being tried");
            String oldest = api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200)
                    .body("lag.deadLettered", equalTo(1)).body("lag.pending", equalTo(1))
                    .extract().path("lag.oldestUnacknowledgedChangeAt");
            assertEquals(stuck.recordedAt(), Instant.parse(oldest), "the lag starts at the dead-lettered change");
            awaitMetric("samtykke_webhook_dead{subscription=\"" + id + "\",tenant=\"" + api.tenant + "\"} 1.0");
            given().get("/q/metrics").then().body(containsString("samtykke_webhook_dead_lettered_total"));

            receiver.failFor(null);
            api.asMarketing().body(Map.of()).post("/v1/webhooks/" + id + "/deliveries/replay").then().statusCode(200)
                    .body("replayed", equalTo(1));
            List<String> order = receiver.awaitAcknowledged(r -> r.subjectId().equals("stuck"), 2, WAIT).stream()
                    .map(WebhookReceiver.Received::webhookId).toList();
            assertEquals(List.of(first, second), order);
            api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200)
                    .body("lag.deadLettered", equalTo(0)).body("lag.pending", equalTo(0))
                    .body("lag.acknowledgedLastHour.count", equalTo(4))
                    .body("lag.acknowledgedLastHour.p99Millis", both(greaterThanOrEqualTo(0f)).and(lessThan((float) WAIT.toMillis() * 10)));
            given().get("/q/metrics").then().body(containsString("samtykke_webhook_ack_lag_seconds_count{subscription=\"" + id + "\""));
        }
    }

    @Test
    void preferenceChangesReachSubscribersOfPreferenceEvents() {
        Api api = Api.newTenant().withTopics("ride-offers");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            subscribe(api, receiver, List.of(PreferenceEvent.TYPE));
            api.asSubject("ole").body(Map.of("topics", List.of("ride-offers"), "language", "da")).put(preferences("ole"))
                    .then().statusCode(200);
            WebhookReceiver.Received got = receiver.awaitAcknowledged(r -> true, 1, WAIT).get(0);
            assertEquals(PreferenceEvent.TYPE, got.type());
            JsonNode data = got.json().path("data");
            assertEquals(List.of("ride-offers"), List.of(data.path("preferences").path("topics").get(0).asText()));
            assertEquals(1, data.path("version").asInt());
        }
    }

    @Test
    void badSubscriptionsAreRefusedAndOtherTenantsCannotSeeOnes() {
        Api api = Api.newTenant();
        api.asMarketing().body(Map.of("url", "ftp://example.com/x", "eventTypes", List.of("io.samtykke.consent.maybe.v1")))
                .post("/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                .body("errors.pointer", org.hamcrest.Matchers.containsInAnyOrder("/url", "/eventTypes/0"));
        api.asApp().body(Map.of("url", "https://example.com/x")).post("/v1/webhooks").then().statusCode(403);
        String id = api.asAdmin().body(Map.of("url", "https://example.com/x")).post("/v1/webhooks").then().statusCode(201)
                .extract().path("id");
        Api.newTenant().asMarketing().get("/v1/webhooks/" + id).then().statusCode(404).contentType("application/problem+json");
        Api.newTenant().asMarketing().get("/v1/webhooks/" + id + "/deliveries").then().statusCode(404);
        api.asMarketing().delete("/v1/webhooks/" + id).then().statusCode(204);
        api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200).body("active", equalTo(false));
        api.asMarketing().get("/v1/webhooks/" + id + "/deliveries?status=LOST").then().statusCode(400)
                .body("errors.pointer", hasItem("/query/status"));
    }

    private static String subscribe(Api api, WebhookReceiver receiver, List<String> types) {
        JsonPath created = api.asMarketing().body(Map.of("url", receiver.url(), "eventTypes", types))
                .post("/v1/webhooks").then().statusCode(201).extract().jsonPath();
        receiver.secret(created.getString("secret"));
        return created.getString("id");
    }

    private static void awaitFailures(WebhookReceiver receiver, int count) {
        await("the receiver was tried for " + count + " subjects").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> receiver.all().stream().filter(r -> r.answered() == 503).map(WebhookReceiver.Received::subjectId)
                        .collect(Collectors.toSet()).size() >= count);
    }

    private static void awaitMetric(String line) {
        await("/q/metrics shows " + line).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> given().get("/q/metrics").then().statusCode(200).extract().asString().contains(line));
    }

    private static JsonPath awaitLedger(Api api, String id, String status, int count) {
        AtomicReference<JsonPath> page = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            page.set(api.asMarketing().get("/v1/webhooks/" + id + "/deliveries?status=" + status).then().statusCode(200)
                    .extract().jsonPath());
            assertTrue(page.get().getList("deliveries").size() >= count,
                    () -> "no " + count + " " + status + " deliveries: " + page.get().prettify());
        });
        return page.get();
    }
}
