package io.samtykke.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's cluster command from an empty data folder (new PostgreSQL cluster, new Kafka broker, topics
 * created on first start), as a new user runs it: as soon as it says it is up, 2,000 consent changes to
 * random subjects; every acknowledged change must then be in preference-service's decisions and in
 * audit-service's log within 15 s. Read only through what a user sees: HTTP answers.
 *
 * <p>{@code -Dsamtykke.fresh-starts=N} repeats the fresh start N times (the {@code long} profile: 5).
 */
class FreshStartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String TENANT = "nabogo"; // a demo tenant: its purposes exist from the first start
    private static final String PURPOSE = "gps-tracking";
    private static final int CHANGES = Integer.getInteger("samtykke.fresh-start.changes", 2000);
    private static final Duration DRAIN_BOUND = Duration.ofSeconds(15);
    private static final String CONSENT = "http://127.0.0.1:8081";
    private static final String PREFERENCE = "http://127.0.0.1:8082";
    private static final String AUDIT = "http://127.0.0.1:8083";

    @Test
    void everyChangeAcknowledgedRightAfterAFreshStartReachesDecisionsAndTheAuditLog() throws Exception {
        int starts = Integer.getInteger("samtykke.fresh-starts", 1);
        List<String> report = new ArrayList<>();
        for (int run = 1; run <= starts; run++) {
            report.add("fresh start " + run + ": " + freshStartRun(run));
            System.out.println(report.get(report.size() - 1));
        }
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.write(target.resolve("fresh-start.txt"), report);
    }

    private String freshStartRun(int run) throws Exception {
        Path home = Files.createTempDirectory("samtykke-fresh-");
        Path output = Path.of("target", "fresh-start-" + run + ".log").toAbsolutePath();
        Files.createDirectories(output.getParent());
        ProcessBuilder builder = new ProcessBuilder("bash", LocalCluster.repoRoot().resolve("deploy/local/run.sh").toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("SAMTYKKE_HOME", home.toString());
        builder.environment().put("SAMTYKKE_SKIP_BUILD", "1"); // the reactor has just built everything
        long launched = System.nanoTime();
        Process cluster = builder.start();
        try {
            awaitUp(cluster, output);
            double upSeconds = (System.nanoTime() - launched) / 1e9;
            Tokens tokens = Tokens.inFolder(home.resolve("keys"));

            // a marketing tool's webhook beside the cluster: the local runner allows loopback receivers (and nothing else
            // that is not public), and per-subscription metrics the alert rules name exist once one is subscribed
            subscribeWebhook(tokens.mint(TENANT, "fresh-start-marketing", "marketing"));
            Map<String, String> acknowledged = writeChanges(tokens.mint(TENANT, "fresh-start-app", "app"));
            long lastAck = System.nanoTime();
            assertEquals(CHANGES, acknowledged.size(), "every change acknowledged with 201");

            String marketing = tokens.mint(TENANT, "fresh-start-marketing", "marketing");
            String auditor = tokens.mint(TENANT, "fresh-start-auditor", "auditor");
            Set<String> notAllowed = new HashSet<>(acknowledged.keySet());
            Set<String> notLogged = new HashSet<>(acknowledged.values());
            long deadline = lastAck + DRAIN_BOUND.toNanos();
            while (true) {
                notAllowed.removeAll(allowed(marketing, notAllowed));
                if (!notLogged.isEmpty()) {
                    notLogged.removeAll(loggedEventIds(auditor));
                }
                if (notAllowed.isEmpty() && notLogged.isEmpty()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("fresh start " + run + ": " + DRAIN_BOUND.toSeconds() + " s after the last of " + CHANGES
                            + " acknowledged changes, " + notAllowed.size() + " subjects still not ALLOW in the decisions and "
                            + notLogged.size() + " changes not in the audit log; consent-service says "
                            + outboxMetrics() + " (cluster log: " + output + ", data folder " + home + ")");
                }
                Thread.sleep(200);
            }
            double drained = (System.nanoTime() - lastAck) / 1e9;
            assertAlertRulesNameExposedMetrics();
            return String.format("up in %.1f s, %d changes acknowledged, 0 lost, in decisions and audit log %.1f s after the last",
                    upSeconds, CHANGES, drained);
        } finally {
            stop(cluster);
            deleteRecursively(home);
        }
    }

    /** Waits for the launcher's "is up" line; a launcher that exits first fails with its output. */
    private static void awaitUp(Process cluster, Path output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(output) ? Files.readString(output) : "";
            if (text.contains("samtykke local cluster is up")) {
                return;
            }
            if (!cluster.isAlive()) {
                fail("deploy/local/run.sh exited with " + cluster.exitValue() + " before the cluster was up:\n" + text);
            }
            Thread.sleep(250);
        }
        fail("the cluster was not up within 240 s:\n" + Files.readString(output));
    }

    /** GRANTs by 8 concurrent clients, one random subject each; subject → event id of each 201. */
    private static Map<String, String> writeChanges(String appToken) throws Exception {
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        String body = """
                {"changes":[{"purpose":"%s","action":"GRANT","noticeVersion":"2025-01"}],
                 "evidence":{"source":{"appId":"nabogo-app","platform":"android","appVersion":"5.0.2",
                 "collectionPoint":"settings/location"},"language":"da"}}""".formatted(PURPOSE);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CHANGES; i++) {
                done.add(clients.submit(() -> {
                    String subject = "fresh-" + UUID.randomUUID();
                    HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(CONSENT + "/v1/subjects/" + subject + "/consents"))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + appToken).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(201, answer.statusCode(), answer.body());
                    acknowledged.put(subject, JSON.readTree(answer.body()).path("records").path(0).path("eventId").asText());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
        return acknowledged;
    }

    /** The subjects among {@code subjects} whose decision for the purpose is ALLOW now. */
    private static Set<String> allowed(String marketingToken, Set<String> subjects) throws Exception {
        Set<String> allowed = new HashSet<>();
        List<String> all = new ArrayList<>(subjects);
        for (int from = 0; from < all.size(); from += 1000) {
            String body = JSON.writeValueAsString(Map.of("channel", "LOCATION", "purpose", PURPOSE,
                    "subjectIds", all.subList(from, Math.min(all.size(), from + 1000))));
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(PREFERENCE + "/v1/decisions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + marketingToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            for (JsonNode d : JSON.readTree(answer.body()).path("decisions")) {
                if (d.path("decision").asText().equals("ALLOW")) {
                    allowed.add(d.path("subjectId").asText());
                }
            }
        }
        return allowed;
    }

    /** Every event id in the tenant's audit log for the purpose, page by page. */
    private static Set<String> loggedEventIds(String auditorToken) throws Exception {
        Set<String> ids = new HashSet<>();
        String cursor = null;
        do {
            String url = AUDIT + "/v1/entries?purpose=" + PURPOSE + "&limit=500"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + auditorToken).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            JsonNode page = JSON.readTree(answer.body());
            page.path("entries").forEach(e -> ids.add(e.path("eventId").asText()));
            cursor = page.hasNonNull("nextCursor") ? page.path("nextCursor").asText() : null;
        } while (cursor != null);
        return ids;
    }

    private static void subscribeWebhook(String marketingToken) throws Exception {
        for (String url : List.of("http://127.0.0.1:9/hooks/optouts", "http://169.254.169.254/latest/meta-data")) {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(PREFERENCE + "/v1/webhooks"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + marketingToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("url", url,
                            "eventTypes", List.of("io.samtykke.consent.withdrawn.v1"))))).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(url.contains("169.254") ? 400 : 201, answer.statusCode(), url + ": " + answer.body());
        }
    }

    /** Every metric an alert rule in deploy/observability names is on some service's /q/metrics (within 20 s). */
    private static void assertAlertRulesNameExposedMetrics() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                checkAlertRuleMetrics();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static void checkAlertRuleMetrics() throws Exception {
        Set<String> exposed = new HashSet<>();
        for (String service : List.of(CONSENT, PREFERENCE, AUDIT)) {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(service + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            metrics.body().lines().filter(l -> !l.startsWith("#"))
                    .map(l -> l.split("[{ ]", 2)[0]).forEach(exposed::add);
        }
        Set<String> named = new HashSet<>();
        Path observability = LocalCluster.repoRoot().resolve("deploy/observability");
        String rules = Files.readString(observability.resolve("alerts.yaml"));
        List<String> expressions = new java.util.ArrayList<>();
        for (Object group : (List<?>) ((Map<?, ?>) new org.yaml.snakeyaml.Yaml().load(rules)).get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                expressions.add(String.valueOf(((Map<?, ?>) rule).get("expr")));
            }
        }
        java.util.regex.Matcher dashboard = java.util.regex.Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
                .matcher(Files.readString(observability.resolve("grafana-dashboard.json")));
        int panels = 0;
        while (dashboard.find()) {
            expressions.add(dashboard.group(1).replace("\\\"", "\""));
            panels++;
        }
        assertTrue(expressions.size() >= 15 && panels >= 15, "rules and panels were read: " + expressions.size() + ", " + panels);
        for (String expr : expressions) {
            named.addAll(metricNames(expr));
        }
        assertTrue(named.containsAll(Set.of("samtykke_outbox_oldest_age_seconds", "http_server_requests_seconds_count",
                "samtykke_audit_checkpoint_behind_seconds")), "the metric names were read from the expressions: " + named);
        // `up` is Prometheus' own series of each scrape, not one a service exposes
        named.remove("up");
        Set<String> missing = new HashSet<>(named);
        missing.removeAll(exposed);
        assertTrue(missing.isEmpty(), "alert rules or dashboard panels name metrics no service exposes: " + missing);
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset");

    /** The metric names in a PromQL expression: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String expr) {
        String plain = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")   // strings
                .replaceAll("\\{[^}]*}", " ")                                     // label matchers
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^]]*]", " ");                                   // range selectors
        Set<String> names = new HashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(plain);
        while (m.find()) {
            if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1)) && !m.group(1).matches("\\d.*")) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static String outboxMetrics() {
        try {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(CONSENT + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return String.join(", ", metrics.body().lines().filter(l -> l.startsWith("samtykke_outbox_")).toList());
        } catch (Exception e) {
            return "no metrics (" + e + ")";
        }
    }

    /** Ctrl-C as a user would (SIGTERM reaches the launcher, which run.sh exec'd): everything stops in order. */
    private static void stop(Process cluster) throws InterruptedException {
        List<ProcessHandle> children = cluster.descendants().toList();
        cluster.destroy();
        if (!cluster.waitFor(120, TimeUnit.SECONDS)) {
            cluster.descendants().forEach(ProcessHandle::destroyForcibly);
            cluster.destroyForcibly();
            cluster.waitFor(30, TimeUnit.SECONDS);
            fail("the cluster did not stop within 120 s of SIGTERM");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (children.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        List<ProcessHandle> left = children.stream().filter(ProcessHandle::isAlive).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        assertTrue(left.isEmpty(), "processes of the cluster outlived its launcher: "
                + left.stream().map(p -> p.pid() + " " + p.info().command().orElse("?")).toList());
    }


    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
