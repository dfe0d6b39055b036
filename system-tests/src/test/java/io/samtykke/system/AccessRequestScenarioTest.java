package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.KafkaProcess;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 004 (Nabogo) promises access (GDPR Art. 15) and data portability "in a structured, commonly used and
 * machine-readable format" (Art. 20), answered "no later than one month" after the request. Over the whole cluster,
 * HTTP and Kafka only: a rider with consents, an identifier, preferences, a reported send and a webhook delivery files
 * an ACCESS request; the DPO starts it; within seconds one JSON export holds every service's part with the rider's
 * data and nothing of another rider; the download completes the request; the audit log has every step, the parts only
 * as metadata; another rider and another tenant cannot fetch it.
 */
class AccessRequestScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static Cluster cluster;
    private static KafkaProcess kafka;
    @AutoClose
    private static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        // a broker of its own: every cluster's preference- and audit-service answer an export request they read, and on
        // the shared broker another cluster's (empty) part could come first; one broker is one deployment, as in production.
        // The webhook receiver listens on 127.0.0.1, which production settings refuse (SSRF protection).
        kafka = KafkaProcess.start(Files.createTempDirectory("access-kafka"));
        cluster = Cluster.start("access", PostgresServer.shared(), kafka.bootstrapServers(), Map.of(),
                Map.of("preference-service", Map.of("samtykke.webhooks.allow-private-networks", "true")));
        receiver = WebhookReceiver.accepting();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (kafka != null) {
            try {
                kafka.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aRiderGetsEverythingHeldAboutThemAsOneMachineReadableExportWithinSeconds() throws Exception {
        String tenant = "nabogo-" + UUID.randomUUID().toString().substring(0, 6);
        String admin = token(tenant, "admin-1", "admin");
        String app = token(tenant, "nabogo-app", "app");
        String marketing = token(tenant, "crm", "marketing");
        String dpo = token(tenant, "dpo-1", "dpo");
        String auditor = token(tenant, "auditor-1", "auditor");
        String rider = token(tenant, "rider-1", "subject");
        String otherRider = token(tenant, "rider-2", "subject");

        ok(cluster.send("consent-service", "PUT", "/v1/purposes/ride-offers", admin, """
                {"names":{"da":"Køretilbud","en":"Ride offers"},"channel":"EMAIL","legalBasis":"CONSENT","category":"MARKETING"}"""), 201);
        ok(cluster.send("consent-service", "POST", "/v1/purposes/ride-offers/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til køretilbud.\"}"), 201);
        JsonNode subscription = ok(cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                "{\"url\":\"" + receiver.url() + "\","
                        + "\"eventTypes\":[\"io.samtykke.consent.granted.v1\",\"io.samtykke.consent.withdrawn.v1\"]}"), 201);

        QuietWindow quiet = QuietWindow.awayFromNow();
        for (String person : List.of("rider-1", "rider-2")) {
            ok(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"ride-offers\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                            + "\"identifiers\":[{\"type\":\"EMAIL\",\"value\":\"" + person + "@nabogo.example\"}]}"), 201);
            ok(cluster.send("preference-service", "PUT", "/v1/subjects/" + person + "/preferences", app,
                    "{" + quiet.json() + ","
                            + "\"preferredChannel\":\"" + (person.equals("rider-1") ? "EMAIL" : "PUSH") + "\"}"), 200);
        }
        await("the decision follows the grant").atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() ->
                ok(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
                        "{\"channel\":\"EMAIL\",\"purpose\":\"ride-offers\",\"subjectId\":\"rider-1\"}"), 200)
                        .at("/decisions/0/decision").asText().equals("ALLOW"));
        ok(cluster.send("preference-service", "POST", "/v1/sends", marketing,
                "{\"channel\":\"EMAIL\",\"purpose\":\"ride-offers\",\"subjectId\":\"rider-1\",\"messageId\":\"offer-2026-17\"}"), 201);
        await("both grants delivered to the webhook").atMost(PATIENCE).until(() -> receiver.deliveries().size() >= 2);

        // this cluster's audit-service reads the shared broker's topics from their start, behind every earlier test's
        // events, and picks up a topic new to it within its metadata refresh: the rider's grant and preference update in
        // its log show it has caught up, so the export below holds both and waits on nothing else
        await("audit-service caught up with the shared broker").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(cluster.send("audit-service", "GET", "/v1/entries?subject=rider-1", auditor, null), 200)
                        .path("entries").size() >= 2);
        JsonNode filed = ok(cluster.send("consent-service", "POST", "/v1/subjects/rider-1/requests", rider,
                "{\"type\":\"ACCESS\",\"details\":\"Send mig alt, I har om mig.\"}"), 201);
        String id = filed.path("id").asText();
        Instant receivedAt = Instant.parse(filed.path("receivedAt").asText());
        assertEquals(receivedAt.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant(), Instant.parse(filed.path("dueAt").asText()),
                "answered no later than one month after receipt");
        ok(cluster.send("consent-service", "POST", "/v1/requests/" + id + "/status", dpo, "{\"status\":\"IN_PROGRESS\"}"), 200);
        Instant started = Instant.now();
        HttpResponse<String> download = await("the export").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.send("consent-service", "GET", "/v1/requests/" + id + "/export", rider, null),
                        r -> r.statusCode() == 200);
        Duration took = Duration.between(started, Instant.now());
        System.out.printf("export of %d bytes ready and downloaded %d ms after the DPO started the request%n",
                download.body().length(), took.toMillis());
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "within seconds: " + took);
        assertTrue(download.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertTrue(download.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename="),
                download.headers().map().toString());

        JsonNode doc = JSON.readTree(download.body());
        assertEquals("io.samtykke.subject-export", doc.path("format").asText());
        assertEquals(1, doc.path("formatVersion").asInt());
        assertEquals("rider-1", doc.path("subjectId").asText());
        assertEquals(Set.of("consent-service", "preference-service", "audit-service"), names(doc.path("parts")));
        JsonNode consent = doc.at("/parts/consent-service");
        assertEquals("rider-1@nabogo.example", consent.at("/identifiers/0/value").asText());
        assertEquals("GRANTED", consent.at("/consents/0/state").asText());
        assertEquals("ride-offers", consent.at("/history/0/purpose").asText());
        assertEquals("v1", consent.at("/history/0/noticeVersion").asText());
        assertEquals(id, consent.at("/requests/0/id").asText());
        JsonNode preference = doc.at("/parts/preference-service");
        assertEquals(quiet.start(), preference.at("/preferences/quietHours/start").asText());
        assertEquals("EMAIL", preference.at("/preferences/preferredChannel").asText());
        assertEquals("offer-2026-17", preference.at("/sends/0/messageId").asText());
        assertEquals(1, preference.path("webhookDeliveries").size());
        JsonNode delivery = preference.at("/webhookDeliveries/0");
        assertEquals(subscription.path("id").asText(), delivery.path("subscriptionId").asText());
        assertEquals("io.samtykke.consent.granted.v1", delivery.path("eventType").asText());
        assertFalse(delivery.path("acknowledgedAt").isNull() || delivery.path("acknowledgedAt").isMissingNode(), delivery.toString());
        assertFalse(preference.toString().contains("whsec_"), "never the subscriber's secret");
        JsonNode audit = doc.at("/parts/audit-service");
        Set<String> types = new HashSet<>();
        for (JsonNode entry : audit.path("entries")) {
            assertEquals("rider-1", entry.path("subjectId").asText(), "only the rider's entries");
            types.add(entry.path("type").asText());
        }
        assertTrue(types.containsAll(Set.of("io.samtykke.consent.granted.v1", "io.samtykke.preference.updated.v1",
                "io.samtykke.subject.request-received.v1", "io.samtykke.subject.export-requested.v1")), types.toString());
        assertEquals(1, audit.path("receipts").size());
        assertEquals(consent.at("/history/0/eventId").asText(), audit.at("/receipts/0/consentReceiptID").asText());
        assertTrue(audit.at("/entries/0/inclusionProof").isArray() || audit.at("/checkpoint/treeSize").asLong() == 0,
                "entries the checkpoint covers carry their inclusion proof");
        assertFalse(download.body().contains("rider-2"), "nothing of another rider");

        JsonNode request = ok(cluster.send("consent-service", "GET", "/v1/requests/" + id, rider, null), 200);
        assertEquals("COMPLETED", request.path("status").asText());

        // another rider, another tenant's DPO, an app: no export
        problem(cluster.send("consent-service", "GET", "/v1/requests/" + id + "/export", otherRider, null), 404);
        problem(cluster.send("consent-service", "GET", "/v1/requests/" + id + "/export",
                token("mobiplus-" + UUID.randomUUID().toString().substring(0, 4), "dpo-1", "dpo"), null), 404);
        problem(cluster.send("consent-service", "GET", "/v1/requests/" + id + "/export", app, null), 403);

        // the audit log has every step, and the parts only by metadata and hash
        List<String> partData = new ArrayList<>();
        try (TopicReader subjectTopic = new TopicReader(kafka.bootstrapServers(), Topics.SUBJECT_EVENTS)) {
            for (ConsumerRecord<String, byte[]> r : subjectTopic.await(rec -> (tenant + "/rider-1").equals(rec.key())
                    && SubjectExportPart.TYPE.equals(new String(rec.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8)),
                    2, PATIENCE)) {
                EventContract.assertValid(r);
                partData.add(EventJson.read(r.value(), SubjectExportPart.class).data());
            }
        }
        List<String> expected = List.of("io.samtykke.subject.request-received.v1", "io.samtykke.subject.request-started.v1",
                "io.samtykke.subject.export-requested.v1", SubjectExportPart.TYPE, "io.samtykke.subject.export-ready.v1",
                "io.samtykke.subject.exported.v1", "io.samtykke.subject.request-completed.v1");
        String logged = await("every step in the audit log").atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(
                () -> cluster.send("audit-service", "GET", "/v1/entries?subject=rider-1&limit=500", auditor, null).body(),
                body -> expected.stream().allMatch(body::contains));
        for (JsonNode entry : JSON.readTree(logged).path("entries")) {
            if (SubjectExportPart.TYPE.equals(entry.path("type").asText())) {
                assertTrue(entry.at("/payload/dataSha256").isTextual(), entry.toString());
                assertTrue(entry.at("/payload/data").isMissingNode(), "no part's data in the log: " + entry);
            }
        }
        for (String data : partData) {
            assertFalse(logged.contains(data), "a part's data is not in the log");
        }
        assertFalse(logged.contains("rider-1@nabogo.example"), "the identifier is not in the log");
    }

    private static String token(String tenant, String subject, String role) {
        return cluster.sign(Cluster.claims(tenant, subject, role));
    }

    private static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static void problem(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertNotNull(response.body());
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
