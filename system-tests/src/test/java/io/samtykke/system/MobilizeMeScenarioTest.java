package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mobilize Me (seed 000): "Vil du have Mobilize Me's månedlige nyhedsbrev? ... Tak for din tilmelding" - the monthly
 * newsletter is sent only after the person confirmed the sign-up from the email they received (double opt-in).
 * Over the whole cluster, through what a sender, a person, a marketing tool and an auditor see: HTTP answers and Kafka.
 */
class MobilizeMeScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOTICE = "Vil du have Mobilize Me's månedlige nyhedsbrev? I nyhedsbrevet får du information om "
            + "bl.a. events, opdateringer i vores strukturværktøjer og blogindlæg. Vi sender det ud cirka en gang månedligt, "
            + "og du kan til enhver tid afmelde dig.";

    @Test
    void theNewsletterIsSentOnlyAfterThePersonConfirmedTheLinkMailedToThem() throws Exception {
        Cluster cluster = Cluster.shared();
        String tenant = "mobilize-me-" + UUID.randomUUID().toString().substring(0, 8);
        String admin = Invariants.token(cluster, tenant, "admin");
        String app = Invariants.token(cluster, tenant, "app");
        String marketing = Invariants.token(cluster, tenant, "marketing");
        String auditor = Invariants.token(cluster, tenant, "auditor");
        expect(cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin,
                "{\"names\":{\"da\":\"Månedligt nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\","
                        + "\"category\":\"MARKETING\",\"doubleOptIn\":true}"), 201);
        expect(cluster.send("consent-service", "POST", "/v1/purposes/newsletter/notices", admin,
                JSON.writeValueAsString(java.util.Map.of("version", "2025-01", "language", "da", "text", NOTICE))), 201);

        // the sign-up form on mobilize-me.com: the newsletter waits for the confirmation
        JsonNode pending = JSON.readTree(expect(cluster.send("consent-service", "POST", "/v1/subjects/kunde-17/consents", app,
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"2025-01\"}],"
                        + "\"evidence\":{\"source\":{\"appId\":\"mobilize-me-web\",\"platform\":\"web\",\"collectionPoint\":"
                        + "\"newsletter-signup\"},\"language\":\"da\"}}"), 201).body()).path("records").path(0);
        assertEquals("PENDING_CONFIRMATION", pending.path("state").asText());
        String pendingId = pending.path("eventId").asText();
        await("the marketing tool is told the newsletter waits for the confirmation").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    JsonNode d = decision(cluster, marketing, "kunde-17");
                    return "DENY".equals(d.path("decision").asText())
                            && d.path("reasons").toString().contains("\"PENDING_CONFIRMATION\"");
                });

        // the mail sender reads the confirmation request and mails the link
        ConfirmationRequest request;
        try (TopicReader confirmations = new TopicReader(Topics.CONSENT_CONFIRMATIONS)) {
            ConsumerRecord<String, byte[]> r = confirmations.await(c -> tenant.equals(header(c, "ce_tenantid")), 1,
                    Duration.ofSeconds(30)).get(0);
            request = EventContract.assertConfirmationRequest(r);
        }
        assertEquals(pendingId, request.pendingEventId().toString());
        assertEquals("EMAIL", request.channel().name());
        assertEquals("da", request.language());
        assertTrue(request.confirmationUrl().endsWith("/v1/confirmations/" + request.token()), request.confirmationUrl());

        // the mail provider prefetches the link: nothing happens; the person presses the button
        HttpResponse<String> page = cluster.send("consent-service", "/v1/confirmations/" + request.token(),
                HttpRequest.newBuilder().GET(), null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<form method=\"post\""), page.body());
        assertEquals("PENDING_CONFIRMATION", JSON.readTree(expect(cluster.send("consent-service", "GET",
                "/v1/subjects/kunde-17/consents", app, null), 200).body()).at("/consents/0/state").asText(), "a GET confirms nothing");
        HttpResponse<String> click = cluster.send("consent-service", "/v1/confirmations/" + request.token(),
                HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.noBody()).header("User-Agent", "Mozilla/5.0 (Android)"),
                null);
        assertEquals(200, click.statusCode(), click.body());
        String grantedId = JSON.readTree(click.body()).at("/record/eventId").asText();

        await("the confirmed newsletter is allowed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> "ALLOW".equals(decision(cluster, marketing, "kunde-17").path("decision").asText()));
        assertEquals(grantedId, decision(cluster, marketing, "kunde-17").at("/consent/eventId").asText());

        // a second click changes nothing
        HttpResponse<String> again = cluster.send("consent-service", "/v1/confirmations/" + request.token(),
                HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.noBody()), null);
        assertEquals(409, again.statusCode());
        assertTrue(again.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));

        // the auditor's receipt proves the click; the audit log never held the link
        JsonNode receipt = await("the receipt of the confirmation").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> JSON.readTree(expect(cluster.send("audit-service", "GET", "/v1/receipts/" + grantedId, auditor, null),
                        200).body()), r -> r.has("proof"));
        JsonNode confirmation = receipt.at("/evidence/confirmation");
        assertEquals(request.tokenId().toString(), confirmation.path("tokenId").asText(), receipt.toString());
        assertEquals(pendingId, confirmation.path("pendingEventId").asText());
        assertEquals("double-opt-in", receipt.at("/evidence/source/collectionPoint").asText());
        assertEquals("127.0.0.0/24", receipt.at("/evidence/ipPrefix").asText());
        assertEquals("SUBJECT", receipt.at("/evidence/actor/type").asText());
        String export = expect(cluster.send("audit-service", "GET", "/v1/export", auditor, null), 200).body();
        assertTrue(export.contains(pendingId) && export.contains(grantedId), "the pending and the confirmed record are logged");
        List<String> lines = export.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(2, JSON.readTree(lines.get(0)).path("treeSize").asLong(), "the two consent records and nothing else: " + export);
        assertEquals(3, lines.size(), "the export's header and the two entries: " + export);
        assertFalse(export.contains(request.token()), "the confirmation token is not in the audit log");
        assertFalse(export.contains(request.eventId().toString()), "the confirmation request is not in the audit log");
    }

    private static JsonNode decision(Cluster cluster, String marketing, String subjectId) throws Exception {
        return JSON.readTree(expect(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
                "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + subjectId + "\"}"), 200).body())
                .path("decisions").path(0);
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), () -> r.uri() + " answered " + r.statusCode() + ": " + r.body());
        return r;
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
