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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
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
        Map<String, String> auditSettings = ServiceProcess.asAuditService(new HashMap<>(ServiceProcess.settingsFor(pg, "audit_trail")),
                pg, "audit-trail", keyFile);

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
                    // requests that once stopped the audit log for every tenant, or made consent without proof:
                    // refused with 400 naming the field, nothing stored, and the valid changes after them still logged
                    for (String[] hostile : HOSTILE) {
                        JsonNode refused = send("POST", consent.url("/v1/subjects/hostile-" + round + "/consents"), app,
                                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":" + hostile[0]
                                        + ",\"noticeVersion\":\"v1\"}],\"evidence\":" + hostile[1] + "}", 400);
                        assertEquals(hostile[2], refused.path("errors").path(0).path("pointer").asText(), refused.toString());
                    }
                    assertEquals(0, JSON.readTree(get(consent.url("/v1/subjects/hostile-" + round + "/consents"), app))
                            .path("consents").size(), "a refused request stores nothing");
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
                String lastEventId = eventIds.get(eventIds.size() - 1);
                eventIds.addAll(generatedRequests(consent, app, eventIds));

                List<String> logged = awaitEntries(audit, auditor, eventIds.size());
                assertEquals(eventIds.size(), logged.size(), "each change once, though the withdrawals were also on the opt-out topic");
                assertEquals(new HashSet<>(eventIds), new HashSet<>(logged));
                await("and nothing more arrives").during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                        .until(() -> entries(audit, auditor).size(), n -> n == eventIds.size());

                NoteKey key = NoteKey.verifier(get(audit.url("/v1/public-key"), auditor));
                String export = get(audit.url("/v1/export"), auditor);
                ExportVerifier.Result verified = new ExportVerifier(key, null).verify(new BufferedReader(new StringReader(export)));
                assertTrue(verified.valid(), verified.message());
                assertEquals(eventIds.size(), verified.entries());

                assertTrue(lastReceipt.startsWith(audit.url("/v1/receipts/")), lastReceipt);
                LogEntry receipted = ReceiptVerifier.verify(Json.parseObject(get(lastReceipt, auditor)), key);
                assertEquals(lastEventId, receipted.eventId().toString());
            }
        }
    }

    /**
     * Generated requests over every evidence field, with values from hostile to odd-but-fine (control characters, lone
     * surrogates, emoji, line separators, empty and long strings, times from year 0 to 10000, numbers, offsets): each is
     * answered 201, 400 or 422, never 500, and every 201 must reach the audit log and verify there like any other
     * change (the caller's final assertions). Returns the event ids of the 201s.
     */
    private static List<String> generatedRequests(ServiceProcess consent, String app, List<String> before) throws Exception {
        long seed = Long.getLong("samtykke.fuzz.seed", System.nanoTime());
        java.util.Random random = new java.util.Random(seed);
        String[] texts = {"", "web", "TaxaApp/5.2", "a\u0000b", "\u001f", "\u007f", "x\ud800", "\udc00y", "😀", "æøå ÆØÅ",
                "line\nbreak", "tab\there", "\u2028", "\uffff", "\ufeffbom", "x".repeat(300), "ok-app", " ", "\"quoted\"", "\\"};
        String[] times = {"2025-01-01T10:00:00Z", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z", "+10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-06-01T12:00:00.123456789+14:00",
                "2025-06-01T12:00:00-12:00", "2099-01-01T00:00:00Z", "2025-01-01", "2025-01-01T10:00:00"};
        String[] fields = {"appId", "platform", "appVersion", "collectionPoint"};
        List<String> stored = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 150; i++) {
            StringBuilder source = new StringBuilder();
            for (String field : fields) {
                if (random.nextInt(3) > 0) {
                    source.append(source.length() == 0 ? "" : ",").append('"').append(field).append("\":")
                            .append(random.nextInt(12) == 0 ? Integer.toString(random.nextInt(1000)) : jsonString(texts[random.nextInt(texts.length)]));
                }
            }
            StringBuilder evidence = new StringBuilder("{\"source\":{").append(source).append('}');
            if (random.nextBoolean()) {
                evidence.append(",\"occurredAt\":").append(random.nextInt(10) == 0 ? Long.toString(random.nextLong() % 4_000_000_000L)
                        : jsonString(times[random.nextInt(times.length)]));
            }
            if (random.nextBoolean()) {
                evidence.append(",\"userAgent\":").append(jsonString(texts[random.nextInt(texts.length)]));
            }
            if (random.nextInt(4) == 0) {
                evidence.append(",\"language\":").append(jsonString(random.nextBoolean() ? "da" : texts[random.nextInt(texts.length)]));
            }
            evidence.append('}');
            String action = "\"GRANT\"";
            String body = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":" + action + ",\"noticeVersion\":\"v1\"}],"
                    + "\"evidence\":" + evidence + "}";
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(consent.url("/v1/subjects/fuzz-" + i + "/consents")))
                    .header("Authorization", "Bearer " + app).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            statuses.merge(r.statusCode(), 1, Integer::sum);
            assertTrue(r.statusCode() == 201 || r.statusCode() == 400 || r.statusCode() == 422,
                    "seed " + seed + ": " + body + " -> " + r.statusCode() + " " + r.body());
            if (r.statusCode() == 201) {
                JSON.readTree(r.body()).path("records").forEach(rec -> stored.add(rec.path("eventId").asText()));
            } else {
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), body);
            }
        }
        System.out.println("generated requests (seed " + seed + "): " + statuses);
        assertTrue(statuses.getOrDefault(201, 0) > 0 && statuses.getOrDefault(400, 0) > 0, "both kinds were generated: " + statuses);
        return stored;
    }

    /** A JSON string literal of {@code s}, with every character outside printable ASCII as a \\u escape (lone surrogates too). */
    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** action, evidence, the pointer the 400 must name. */
    private static final String[][] HOSTILE = {
            {"\"GRANT\"", "{\"occurredAt\":\"0000-01-01T00:00:00Z\"}", "/evidence/occurredAt"},
            {"\"GRANT\"", "{\"occurredAt\":\"-0001-01-01T00:00:00Z\"}", "/evidence/occurredAt"},
            {"\"GRANT\"", "{\"occurredAt\":\"0123-01-01T00:00:00Z\"}", "/evidence/occurredAt"},
            {"\"GRANT\"", "{\"occurredAt\":1700000000}", "/evidence/occurredAt"},
            {"\"GRANT\"", "{\"occurredAt\":\"2026-01-01T00:00:00\"}", "/evidence/occurredAt"},
            {"\"GRANT\"", "{\"source\":{\"appId\":\"\"}}", "/evidence/source/appId"},
            {"\"GRANT\"", "{\"source\":{\"appId\":123}}", "/evidence/source/appId"},
            {"\"GRANT\"", "{\"source\":{\"appId\":true}}", "/evidence/source/appId"},
            {"\"GRANT\"", "{\"source\":{\"appId\":\"a\\ud800b\"}}", "/evidence/source/appId"},
            {"\"GRANT\"", "{\"source\":{\"appId\":\"a\\u0000b\"}}", "/evidence/source/appId"},
            {"0", "{}", "/changes/0/action"},
    };

    /** The event ids in the audit log, once it holds at least {@code count} (within 30 s), none twice. */
    private static List<String> awaitEntries(ServiceProcess audit, String token, int count) {
        List<String> ids = await("the audit log holds " + count + " entries").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> entries(audit, token), logged -> logged.size() >= count);
        assertEquals(ids.size(), new HashSet<>(ids).size(), "no event is logged twice");
        return ids;
    }

    /** The event ids in the audit log now. */
    private static List<String> entries(ServiceProcess audit, String token) throws Exception {
        List<String> ids = new ArrayList<>();
        JSON.readTree(get(audit.url("/v1/entries?limit=500"), token)).path("entries").forEach(e -> ids.add(e.path("eventId").asText()));
        return ids;
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
