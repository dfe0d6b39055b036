package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.Json;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.audit.verifier.ReceiptVerifier;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * consent-service and audit-service as real processes: every consent change acknowledged by consent-service
 * is in the tenant's audit log exactly once (withdrawals arrive twice, on the events and opt-out topics), and
 * the signed log proves it: the export verifies offline and the receipt consent-service links to verifies.
 */
class AuditTrailTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyChangeWrittenThroughConsentServiceIsLoggedOnceAndProvenInTheSignedLog() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase("consent_trail");
        pg.ensureDatabase("audit_trail");
        Path keyFile = Files.createTempFile("audit-signing", ".pem");
        Files.writeString(keyFile, Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        Map<String, String> auditSettings = new HashMap<>(ServiceProcess.settingsFor(pg, "audit_trail"));
        auditSettings.remove("samtykke.identifiers.master-key");
        auditSettings.put("quarkus.flyway.username", pg.user());
        auditSettings.put("quarkus.flyway.password", pg.password());
        auditSettings.put("quarkus.datasource.username", "audit_app");
        auditSettings.put("quarkus.datasource.password", "audit-trail");
        auditSettings.put("samtykke.audit.signing-key-file", keyFile.toString());
        auditSettings.put("samtykke.audit.key-encryption-key", Base64.getEncoder().encodeToString(kek));

        try (ServiceProcess audit = ServiceProcess.start("audit-service", ServiceProcess.freePort(), auditSettings)) {
            Map<String, String> consentSettings = new HashMap<>(ServiceProcess.settingsFor(pg, "consent_trail"));
            consentSettings.put("samtykke.consent.audit-base-url", audit.url(""));
            try (ServiceProcess consent = ServiceProcess.start("consent-service", ServiceProcess.freePort(), consentSettings)) {
                String tenant = "trail-" + UUID.randomUUID().toString().substring(0, 6);
                String admin = Tokens.forTests().mint(tenant, "admin", "admin");
                String app = Tokens.forTests().mint(tenant, "app", "app");
                String auditor = Tokens.forTests().mint(tenant, "auditor-1", "auditor");
                send("PUT", consent.url("/v1/purposes/newsletter"), admin,
                        "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}", 201);
                send("POST", consent.url("/v1/purposes/newsletter/notices"), admin,
                        "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}", 201);

                List<String> eventIds = new ArrayList<>();
                String lastReceipt = null;
                for (int round = 0; round < 3; round++) {
                    for (int person = 0; person < 4; person++) {
                        String change = round % 2 == 0
                                ? "{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}"
                                : "{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}";
                        JsonNode written = send("POST", consent.url("/v1/subjects/person-" + person + "/consents"), app,
                                "{\"changes\":[" + change + "],\"evidence\":{\"source\":{\"appId\":\"trail\",\"platform\":\"web\","
                                        + "\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}", 201);
                        for (JsonNode record : written.path("records")) {
                            eventIds.add(record.path("eventId").asText());
                            lastReceipt = record.path("receipt").asText();
                        }
                    }
                }
                assertEquals(12, eventIds.size());

                List<String> logged = awaitEntries(audit, auditor, eventIds.size());
                assertEquals(eventIds.size(), logged.size(), "each change once, though the withdrawals were also on the opt-out topic");
                assertEquals(new HashSet<>(eventIds), new HashSet<>(logged));
                Thread.sleep(1500);
                assertEquals(eventIds.size(), awaitEntries(audit, auditor, eventIds.size()).size(), "and nothing more arrives");

                NoteKey key = NoteKey.verifier(get(audit.url("/v1/public-key"), auditor));
                String export = get(audit.url("/v1/export"), auditor);
                ExportVerifier.Result verified = new ExportVerifier(key, null).verify(new BufferedReader(new StringReader(export)));
                assertTrue(verified.valid(), verified.message());
                assertEquals(eventIds.size(), verified.entries());

                assertTrue(lastReceipt.startsWith(audit.url("/v1/receipts/")), lastReceipt);
                LogEntry receipted = ReceiptVerifier.verify(Json.parseObject(get(lastReceipt, auditor)), key);
                assertEquals(eventIds.get(eventIds.size() - 1), receipted.eventId().toString());
            }
        }
    }

    /** The event ids in the audit log, once it holds at least {@code count} (within 30 s). */
    private static List<String> awaitEntries(ServiceProcess audit, String token, int count) throws Exception {
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            JsonNode page = JSON.readTree(get(audit.url("/v1/entries?limit=500"), token));
            List<String> ids = new ArrayList<>();
            page.path("entries").forEach(e -> ids.add(e.path("eventId").asText()));
            if (ids.size() >= count || Instant.now().isAfter(deadline)) {
                Set<String> distinct = new HashSet<>(ids);
                assertEquals(ids.size(), distinct.size(), "no event is logged twice");
                return ids;
            }
            Thread.sleep(200);
        }
    }

    private static String get(String url, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    private static JsonNode send(String method, String url, String token, String body, int status) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), method + " " + url + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
