package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 003, Mobitech Telecom: an SMS gateway (Email2SMS) whose customers' recipients answer marketing texts with
 * STOP. Over the whole cluster, through HTTP and Kafka only: the gateway forwards the reply, signed with the tenant's
 * secret; every SMS marketing consent of the sender's number is withdrawn, marketing tools see it on the opt-out
 * topic, decisions deny SMS marketing while service messages ("formal notices regardless of marketing settings") are
 * still allowed, and the withdrawal is in the audit log as the person's own act. A reply that is not signed with the
 * tenant's secret changes nothing.
 */
class MobitechTelecomScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = SeedTenants.MOBITECH;
    private static Cluster cluster;

    @BeforeAll
    static void catalog() throws Exception {
        cluster = Cluster.shared();
        String admin = Invariants.token(cluster, TENANT, "admin");
        purpose(admin, "sms-offers", "SMS", "CONSENT", "MARKETING");
        purpose(admin, "delivery-receipts", "SMS", "CONTRACT", "SERVICE_MESSAGES");
    }

    @Test
    void aStopReplyWithdrawsSmsMarketingEverywhereAndServiceMessagesGoOn() throws Exception {
        String person = "recipient-" + UUID.randomUUID().toString().substring(0, 8);
        String number = "+45" + (20_000_000 + (int) (Math.random() * 9_999_999));
        String app = Invariants.token(cluster, TENANT, "app");
        JsonNode granted = json(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                "{\"changes\":[{\"purpose\":\"sms-offers\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"},"
                        + "{\"purpose\":\"delivery-receipts\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                        + "\"identifiers\":[{\"type\":\"PHONE\",\"value\":\"" + number + "\"}]}"), 201);
        assertEquals(2, granted.path("records").size());
        awaitDecision(person, "sms-offers", "ALLOW");

        String stop = "{\"from\":\"" + number + "\",\"to\":\"1919\",\"text\":\"Stop\",\"receivedAt\":\"" + Instant.now() + "\"}";
        HttpResponse<String> forged = inbound(stop, "whsec_" + java.util.Base64.getEncoder().encodeToString(Cluster.random(24)));
        assertEquals(401, forged.statusCode(), forged.body());
        assertEquals("application/problem+json", forged.headers().firstValue("Content-Type").orElse(""));
        assertEquals(2, json(cluster.send("consent-service", "GET", "/v1/subjects/" + person + "/consents", app, null), 200)
                .path("subjectSeq").asLong(), "a forged STOP changed nothing");

        JsonNode outcome = json(inbound(stop, SeedTenants.MOBITECH_GATEWAY_SECRET), 200);
        assertEquals("WITHDRAWN", outcome.path("action").asText());
        assertEquals(1, outcome.path("subjects").asInt());
        assertEquals(1, outcome.path("withdrawn").asInt());

        JsonNode history = json(cluster.send("consent-service", "GET", "/v1/subjects/" + person + "/consents/history?order=desc",
                app, null), 200).path("records").path(0);
        assertEquals("sms-offers", history.path("purpose").asText());
        assertEquals("WITHDRAWN", history.path("state").asText());
        assertEquals("SUBJECT", history.at("/actor/type").asText());
        assertEquals("sms-reply/STOP", history.at("/source/collectionPoint").asText());
        String eventId = history.path("eventId").asText();

        try (TopicReader optOuts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            ConsumerRecord<String, byte[]> r = optOuts.await(rec -> (TENANT + "/" + person).equals(rec.key()), 1,
                    Duration.ofSeconds(30)).get(0);
            assertEquals(eventId, new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8));
        }
        JsonNode denied = awaitDecision(person, "sms-offers", "DENY");
        assertEquals(eventId, denied.at("/consent/eventId").asText());
        awaitDecision(person, "delivery-receipts", "ALLOW");

        String auditor = Invariants.token(cluster, TENANT, "auditor");
        JsonNode entries = await("the STOP in the audit log").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> json(cluster.send("audit-service", "GET", "/v1/entries?subject=" + person, auditor, null), 200)
                        .path("entries"), e -> e.size() == 3);
        boolean logged = false;
        for (JsonNode e : entries) {
            logged |= e.path("eventId").asText().equals(eventId);
        }
        assertTrue(logged, "the withdrawal " + eventId + " is in the audit log: " + entries);

        JsonNode retried = json(inbound(stop, SeedTenants.MOBITECH_GATEWAY_SECRET), 200);
        assertEquals(0, retried.path("withdrawn").asInt(), "the gateway's retry records nothing twice");
    }

    private static HttpResponse<String> inbound(String body, String secret) throws Exception {
        String id = "msg_" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder().header("Content-Type", "application/json")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", SeedTenants.sign(secret, id, now, body))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return cluster.send("consent-service", "/v1/inbound/" + TENANT + "/sms", request, null);
    }

    private static JsonNode awaitDecision(String person, String purpose, String verdict) {
        String marketing = Invariants.token(cluster, TENANT, "marketing");
        return await(purpose + " for " + person + " is " + verdict).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> json(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
                        "{\"channel\":\"SMS\",\"purpose\":\"" + purpose + "\",\"subjectId\":\"" + person + "\"}"), 200)
                        .path("decisions").path(0), d -> verdict.equals(d.path("decision").asText()));
    }

    private static void purpose(String admin, String key, String channel, String basis, String category) throws Exception {
        json(cluster.send("consent-service", "PUT", "/v1/purposes/" + key, admin, "{\"names\":{\"da\":\"" + key + "\"},\"channel\":\""
                + channel + "\",\"legalBasis\":\"" + basis + "\",\"category\":\"" + category + "\"}"), -1);
        json(cluster.send("consent-service", "POST", "/v1/purposes/" + key + "/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til " + key + ".\"}"), -1);
    }

    /** The body as JSON when the status is {@code expected} (-1: any 2xx). */
    private static JsonNode json(HttpResponse<String> r, int expected) throws Exception {
        boolean ok = expected == -1 ? r.statusCode() / 100 == 2 : r.statusCode() == expected;
        assertTrue(ok, r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }
}
