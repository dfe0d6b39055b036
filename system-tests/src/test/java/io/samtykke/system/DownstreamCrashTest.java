package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumers of consent events killed with SIGKILL while four clients keep writing: audit-service twice, then
 * preference-service twice, each restarted on the same database. Afterwards, read only through HTTP: every change
 * consent-service acknowledged is in the audit log exactly once (no loss, no double apply), the log's export
 * verifies against its signed checkpoint, and preference-service's decision for every person rests on the last
 * change acknowledged for them (same event id and subject sequence), so no change was applied out of order or lost.
 */
class DownstreamCrashTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "downstream-crash";
    private static final int WRITERS = 4;
    private static final int PEOPLE_PER_WRITER = 10;

    /** One acknowledged change: whose, its event id, its subject sequence and whether it granted. */
    record Ack(String subject, String eventId, long subjectSeq, boolean grant) {
    }

    @Test
    void killedConsumersLoseNothingAndApplyNothingTwiceOrOutOfOrder() throws Exception {
        try (Cluster cluster = Cluster.start("downstream_crash")) {
            killConsumersUnderLoad(cluster);
        }
    }

    private static void killConsumersUnderLoad(Cluster cluster) throws Exception {
        String admin = token(cluster, "admin");
        String app = token(cluster, "app");
        expect(cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin,
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
        expect(cluster.send("consent-service", "POST", "/v1/purposes/newsletter/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}"), 201);

        Map<String, List<Ack>> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<Integer>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> write(cluster, app, writer, writing, acknowledged)));
        }
        Map<String, Duration> readyAfter = new LinkedHashMap<>();
        try {
            for (String victim : List.of("audit-service", "audit-service", "preference-service", "preference-service")) {
                Thread.sleep(2_000);
                readyAfter.put(victim + " #" + (readyAfter.size() + 1), cluster.killAndRestart(victim));
            }
            Thread.sleep(2_000);
        } finally {
            writing.set(false);
            pool.shutdown();
        }
        int writes = 0;
        for (Future<Integer> f : writers) {
            writes += f.get();
        }
        assertTrue(writes >= 40, "the clients kept writing through the kills: " + writes);

        // the audit log: every acknowledged change exactly once
        Set<String> expected = new HashSet<>();
        acknowledged.values().forEach(list -> list.forEach(a -> expected.add(a.eventId())));
        String auditor = token(cluster, "auditor");
        AtomicReference<List<String>> logged = new AtomicReference<>(List.of());
        awaitQuietly(Duration.ofSeconds(Long.getLong("samtykke.crash.patience", 60)), () -> {
            logged.set(entries(cluster, auditor));
            return new HashSet<>(logged.get()).containsAll(expected);
        });
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(logged.get());
        assertEquals(Set.of(), missing, "acknowledged changes missing from the audit log");
        assertEquals(new HashSet<>(logged.get()).size(), logged.get().size(), "a change logged twice");
        assertEquals(expected, new HashSet<>(logged.get()), "the log holds nothing that was not acknowledged");
        NoteKey key = NoteKey.verifier(body(cluster.send("audit-service", "GET", "/v1/public-key", auditor, null)));
        ExportVerifier.Result verified = awaitVerifiedExport(cluster, auditor, key, expected.size());
        assertTrue(verified.valid(), verified.message());

        // the decisions: each person's rests on the last change acknowledged for them
        String marketing = token(cluster, "marketing");
        Map<String, String> wrong = new ConcurrentHashMap<>();
        awaitQuietly(Duration.ofSeconds(60), () -> {
            wrong.clear();
            for (Map.Entry<String, List<Ack>> person : acknowledged.entrySet()) {
                Ack last = person.getValue().get(person.getValue().size() - 1);
                JsonNode d = JSON.readTree(body(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
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
        System.out.printf("downstream crashes: %d writes acknowledged by %d clients during 4 kills, 0 lost, 0 twice, 0 out of order;"
                + " launch to ready after each kill: %s%n", writes, WRITERS, readyAfter);
    }

    /** Alternates grant and withdrawal over the writer's people until told to stop; returns how many were acknowledged. */
    private static int write(Cluster cluster, String app, int writer, AtomicBoolean writing, Map<String, List<Ack>> acknowledged)
            throws Exception {
        int n = 0;
        while (writing.get()) {
            String subject = "w" + writer + "-p" + (n % PEOPLE_PER_WRITER);
            boolean grant = (n / PEOPLE_PER_WRITER) % 2 == 0;
            String change = grant ? "{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}"
                    : "{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}";
            HttpResponse<String> r = cluster.send("consent-service", "POST", "/v1/subjects/" + subject + "/consents", app,
                    "{\"changes\":[" + change + "],\"evidence\":{\"source\":{\"appId\":\"crash\",\"platform\":\"web\","
                            + "\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}");
            assertEquals(201, r.statusCode(), r.body());
            JsonNode record = JSON.readTree(r.body()).path("records").path(0);
            acknowledged.computeIfAbsent(subject, s -> new ArrayList<>())
                    .add(new Ack(subject, record.path("eventId").asText(), record.path("subjectSeq").asLong(), grant));
            n++;
        }
        return n;
    }

    private static List<String> entries(Cluster cluster, String auditor) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = JSON.readTree(body(cluster.send("audit-service", "GET",
                    "/v1/entries?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), auditor, null)));
            page.path("entries").forEach(e -> ids.add(e.path("eventId").asText()));
            cursor = page.path("nextCursor").isTextual() ? java.net.URLEncoder.encode(page.path("nextCursor").asText(),
                    java.nio.charset.StandardCharsets.UTF_8) : null;
        } while (cursor != null);
        return ids;
    }

    /** The export, once its checkpoint covers all {@code entries} (the checkpointer signs a little after the last append). */
    private static ExportVerifier.Result awaitVerifiedExport(Cluster cluster, String auditor, NoteKey key, int entries) {
        AtomicReference<ExportVerifier.Result> verified = new AtomicReference<>();
        awaitQuietly(Duration.ofSeconds(30), () -> {
            String export = body(cluster.send("audit-service", "GET", "/v1/export", auditor, null));
            verified.set(new ExportVerifier(key, null).verify(new BufferedReader(new StringReader(export))));
            return verified.get().valid() && verified.get().entries() == entries;
        });
        assertEquals(entries, verified.get().entries(), "the export holds every entry: " + verified.get().message());
        return verified.get();
    }

    /** Polls {@code condition} until it holds or {@code patience} ends; the assertions after it say what is wrong. */
    private static void awaitQuietly(Duration patience, Callable<Boolean> condition) {
        try {
            await().atMost(patience).pollInterval(Duration.ofMillis(200)).until(condition);
        } catch (ConditionTimeoutException e) {
            // the caller's assertions name what never came
        }
    }

    private static String token(Cluster cluster, String role) {
        return cluster.sign(Cluster.claims(TENANT, role + "-client", role));
    }

    private static String body(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.request().uri() + ": " + r.body());
        return r.body();
    }

    private static void expect(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.request().uri() + ": " + r.body());
    }
}
