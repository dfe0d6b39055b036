package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * consent-service and preference-service as real processes over real Kafka and PostgreSQL: a withdrawal
 * acknowledged by consent-service (HTTP 201) flips preference-service's decision to deny and reaches a
 * webhook receiver and a Kafka consumer; a withdrawal made on the preference center becomes a consent record
 * in consent-service, the source of truth.
 */
class WithdrawalPropagationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    static Path keys;

    private static Tokens tokens;
    private static ServiceProcess consent;
    private static ServiceProcess preference;
    @AutoClose
    private static WebhookReceiver receiver;

    @BeforeAll
    static void cluster() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase("consent_propagation");
        pg.ensureDatabase("preference_propagation");
        // both services trust this key; preference-service signs its calls to consent-service with it
        tokens = Tokens.inFolder(keys);
        Map<String, String> consentSettings = new java.util.HashMap<>(ServiceProcess.settingsFor(pg, "consent_propagation"));
        consentSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        consent = ServiceProcess.start("consent-service", ServiceProcess.freePort(), consentSettings);

        Map<String, String> preferenceSettings = new java.util.HashMap<>(ServiceProcess.settingsFor(pg, "preference_propagation"));
        preferenceSettings.remove("samtykke.identifiers.master-key");
        preferenceSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        // the webhook receivers listen on 127.0.0.1, which production settings refuse (SSRF protection)
        preferenceSettings.put("samtykke.webhooks.allow-private-networks", "true");
        preferenceSettings.put("samtykke.consent-service.url", consent.url(""));
        preferenceSettings.put("samtykke.consent-service.signing-key-file", keys.resolve("jwt-private.pk8").toString());
        byte[] linkKey = new byte[32];
        new SecureRandom().nextBytes(linkKey);
        preferenceSettings.put("samtykke.links.secret", Base64.getEncoder().encodeToString(linkKey));
        preference = ServiceProcess.start("preference-service", ServiceProcess.freePort(), preferenceSettings);

        receiver = WebhookReceiver.verifying();
    }

    @AfterAll
    static void stop() throws Exception {
        if (preference != null) {
            preference.close();
        }
        if (consent != null) {
            consent.close();
        }
    }

    @Test
    void aWithdrawalInConsentServiceFlipsTheDecisionAndReachesAWebhookReceiverAndAKafkaConsumer() throws Exception {
        String tenant = "prop-" + UUID.randomUUID().toString().substring(0, 6);
        newsletter(tenant);
        String marketing = tokens.mint(tenant, "crm", "marketing");
        JsonNode subscription = json(preference.send(marketing, "POST", "/v1/webhooks",
                "{\"url\":\"" + receiver.url() + "\"}"), 201);
        receiver.verifyWith(subscription.path("secret").asText());

        String app = tokens.mint(tenant, "app-1", "app");
        json(consent.send(app, "POST", "/v1/subjects/anna/consents",
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 201);
        awaitDecision(tenant, "anna", "ALLOW");

        JsonNode withdrawal = json(consent.send(app, "POST", "/v1/subjects/anna/consents",
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}"), 201);
        String eventId = withdrawal.path("records").get(0).path("eventId").asText();

        JsonNode denied = awaitDecision(tenant, "anna", "DENY");
        assertEquals("WITHDRAWN", denied.at("/reasons/0/code").asText());
        assertEquals(eventId, denied.at("/consent/eventId").asText(), "the decision names the withdrawal it rests on");
        assertEquals(2, denied.at("/consent/subjectSeq").asLong());

        WebhookReceiver.Delivery delivery = receiver.awaitDelivery(eventId, PATIENCE);
        assertTrue(delivery.verified(), "signed per Standard Webhooks with the subscription's secret");
        JsonNode body = JSON.readTree(delivery.body());
        assertEquals("io.samtykke.consent.withdrawn.v1", body.path("type").asText());
        assertEquals("anna", body.at("/data/subjectId").asText());

        try (TopicReader optOuts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            ConsumerRecord<String, byte[]> r = optOuts.await(rec -> (tenant + "/anna").equals(rec.key()), 1, PATIENCE).get(0);
            assertEquals(eventId, new String(r.headers().lastHeader("ce_id").value(), StandardCharsets.UTF_8));
        }
        JsonNode lag = json(preference.send(marketing, "GET", "/v1/webhooks/" + subscription.path("id").asText(), null), 200);
        assertEquals(1, lag.at("/lag/delivered").asLong());
        assertEquals(0, lag.at("/lag/pending").asLong());
    }

    @Test
    void aWithdrawalOnThePreferenceCenterIsRecordedInConsentService() throws Exception {
        String tenant = "page-" + UUID.randomUUID().toString().substring(0, 6);
        newsletter(tenant);
        String app = tokens.mint(tenant, "app-1", "app");
        json(consent.send(app, "POST", "/v1/subjects/bo/consents",
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 201);
        awaitDecision(tenant, "bo", "ALLOW");

        JsonNode links = json(preference.send(tokens.mint(tenant, "crm", "marketing"), "POST", "/v1/subjects/bo/links",
                "{\"language\":\"da\"}"), 200);
        String token = URI.create(links.path("preferenceCenter").asText()).getRawQuery().substring("token=".length());
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(preference.url("/preferences")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                        + "&action=withdraw&purpose=newsletter")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("Trukket tilbage"), page.body());

        JsonNode history = json(consent.send(app, "GET", "/v1/subjects/bo/consents/history", null), 200);
        JsonNode last = history.path("records").get(history.path("records").size() - 1);
        assertEquals("WITHDRAW", last.path("action").asText());
        assertEquals("WITHDRAWN", last.path("state").asText());
        assertEquals("SUBJECT", last.at("/actor/type").asText());
        assertEquals("preference-center", last.at("/source/collectionPoint").asText());
        assertEquals("DENY", awaitDecision(tenant, "bo", "DENY").path("decision").asText());
    }

    private static void newsletter(String tenant) throws Exception {
        String admin = tokens.mint(tenant, "admin-1", "admin");
        json(consent.send(admin, "PUT", "/v1/purposes/newsletter", "{\"names\":{\"da\":\"Nyhedsbrev\",\"en\":\"Newsletter\"},"
                + "\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
        json(consent.send(admin, "POST", "/v1/purposes/newsletter/notices",
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}"), 201);
    }

    private static JsonNode awaitDecision(String tenant, String subject, String verdict) {
        String marketing = tokens.mint(tenant, "crm", "marketing");
        return await("the decision for " + subject + " is " + verdict).atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(() -> json(preference.send(marketing, "POST", "/v1/decisions",
                                "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + subject + "\"}"), 200)
                                .path("decisions").get(0),
                        d -> verdict.equals(d.path("decision").asText()));
    }

    private static JsonNode json(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
