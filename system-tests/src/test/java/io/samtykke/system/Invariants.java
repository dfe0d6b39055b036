package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.system.WriteLoad.Ack;
import org.awaitility.core.ConditionTimeoutException;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What must hold after every fault scenario, read only through HTTP: every change consent-service acknowledged is its
 * current state for the person, is in the audit log exactly once (nothing else is), the log's export verifies against
 * its signed checkpoint, and preference-service's decision for every person rests on the last acknowledged change
 * (same event id and subject sequence): nothing lost, nothing applied twice, nothing out of order.
 */
final class Invariants {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Invariants() {
    }

    /** Checks them all for {@code tenant}; returns how long after the call the system had caught up. */
    static Duration check(Cluster cluster, String tenant, Map<String, List<Ack>> acknowledged, Set<String> eventIds) throws Exception {
        return check(cluster, tenant, acknowledged, eventIds, "preference-service");
    }

    /** The same, asking {@code decisions} (an instance of preference-service) for the decisions. */
    static Duration check(Cluster cluster, String tenant, Map<String, List<Ack>> acknowledged, Set<String> eventIds, String decisions)
            throws Exception {
        Instant start = Instant.now();
        String auditor = token(cluster, tenant, "auditor");
        String app = token(cluster, tenant, "app");
        String marketing = token(cluster, tenant, "marketing");

        for (Map.Entry<String, List<Ack>> person : acknowledged.entrySet()) {
            Ack last = person.getValue().get(person.getValue().size() - 1);
            JsonNode current = JSON.readTree(ok(cluster.send("consent-service", "GET", "/v1/subjects/" + person.getKey() + "/consents", app, null)));
            assertEquals(last.subjectSeq(), current.path("subjectSeq").asLong(), person.getKey() + ": consent-service's state is the last acknowledged");
        }

        AtomicReference<List<String>> logged = new AtomicReference<>(List.of());
        awaitQuietly(Duration.ofSeconds(Long.getLong("samtykke.crash.patience", 60)), () -> {
            logged.set(entries(cluster, auditor));
            return new HashSet<>(logged.get()).containsAll(eventIds);
        });
        Set<String> missing = new HashSet<>(eventIds);
        missing.removeAll(logged.get());
        assertEquals(Set.of(), missing, "acknowledged changes missing from the audit log");
        assertEquals(new HashSet<>(logged.get()).size(), logged.get().size(), "a change logged twice");
        assertEquals(eventIds, new HashSet<>(logged.get()), "the log holds nothing that was not acknowledged");

        NoteKey key = NoteKey.verifier(ok(cluster.send("audit-service", "GET", "/v1/public-key", auditor, null)));
        AtomicReference<ExportVerifier.Result> verified = new AtomicReference<>();
        awaitQuietly(Duration.ofSeconds(30), () -> {
            String export = ok(cluster.send("audit-service", "GET", "/v1/export", auditor, null));
            verified.set(new ExportVerifier(key, null).verify(new BufferedReader(new StringReader(export))));
            return verified.get().valid() && verified.get().entries() == eventIds.size();
        });
        assertTrue(verified.get().valid(), verified.get().message());
        assertEquals(eventIds.size(), verified.get().entries(), "the signed export holds every entry");

        Map<String, String> wrong = new ConcurrentHashMap<>();
        awaitQuietly(Duration.ofSeconds(60), () -> {
            wrong.clear();
            for (Map.Entry<String, List<Ack>> person : acknowledged.entrySet()) {
                Ack last = person.getValue().get(person.getValue().size() - 1);
                JsonNode d = JSON.readTree(ok(cluster.send(decisions, "POST", "/v1/decisions", marketing,
                        "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + person.getKey() + "\"}"))).path("decisions").path(0);
                boolean right = d.path("decision").asText().equals(last.grant() ? "ALLOW" : "DENY")
                        && d.at("/consent/eventId").asText().equals(last.eventId()) && d.at("/consent/subjectSeq").asLong() == last.subjectSeq();
                if (!right) {
                    wrong.put(person.getKey(), "expected " + last + ", decision " + d);
                }
            }
            return wrong.isEmpty();
        });
        assertEquals(Map.of(), wrong, "decisions that do not rest on the last acknowledged change");
        return Duration.between(start, Instant.now());
    }

    /** Sets up purpose "newsletter" with notice v1 in {@code tenant}, what {@link WriteLoad} writes to. */
    static void newsletter(Cluster cluster, String tenant) throws Exception {
        String admin = token(cluster, tenant, "admin");
        assertEquals(201, cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin,
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}").statusCode());
        assertEquals(201, cluster.send("consent-service", "POST", "/v1/purposes/newsletter/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}").statusCode());
    }

    static String token(Cluster cluster, String tenant, String role) {
        return cluster.sign(Cluster.claims(tenant, role + "-client", role));
    }

    private static List<String> entries(Cluster cluster, String auditor) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(ok(cluster.send("audit-service", "GET",
                    "/v1/entries?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), auditor, null)));
            page.path("entries").forEach(e -> ids.add(e.path("eventId").asText()));
            cursor = page.path("nextCursor").isTextual() ? URLEncoder.encode(page.path("nextCursor").asText(), StandardCharsets.UTF_8) : null;
        } while (cursor != null);
        return ids;
    }

    /** Polls {@code condition} until it holds or {@code patience} ends; the assertions after it say what is wrong. */
    private static void awaitQuietly(Duration patience, Callable<Boolean> condition) {
        try {
            await().atMost(patience).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(condition);
        } catch (ConditionTimeoutException e) {
            // the caller's assertions name what never came
        }
    }

    private static String ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.request().uri() + ": " + r.body());
        return r.body();
    }
}
