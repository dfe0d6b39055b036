package io.samtykke.bench;

import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Throughput near the machine's limit (bench/README.md, "throughput"), every benchmark of the issue in one run, each
 * against a baseline run in the same invocation on the same machine and database. consent-service alone: its
 * current-state read and one-change write, open loop at rising fixed rates over several connections ({@link OpenLoop}),
 * against a trivial endpoint of the same service and the same SQL over a plain JDBC connection per worker, and both
 * again at a small and a large bulk-loaded history. The whole cluster ({@link ClusterBench}): write with audit and
 * projection keeping up, audit ingest and checkpoints, batch decisions, withdrawal propagation, the offline verifier,
 * start-up and memory. {@code -Dbench.only=read,write,...} runs a selection (keys in {@link #ALL}). Writes
 * bench/results/&lt;date&gt;-throughput.json, a PNG per benchmark, and (for a full run) the table in bench/README.md.
 */
public final class ThroughputBench {

    /** The benchmarks, in the order of the table. */
    static final List<String> ALL = List.of("read", "write", "cluster", "withdrawal", "batch", "audit", "verifier", "history", "startup");

    private static final String DB = "consent";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        Duration step = Duration.ofSeconds(Long.getLong("bench.step.seconds", 5));
        int connections = Integer.getInteger("bench.connections", 8);
        double readBound = Double.parseDouble(System.getProperty("bench.read.p99.ms", "25"));
        double writeBound = Double.parseDouble(System.getProperty("bench.write.p99.ms", "100"));
        int bisections = Integer.getInteger("bench.bisections", 3);
        Duration drain = Duration.ofSeconds(Long.getLong("bench.drain.seconds", 10));
        long smallHistory = Long.getLong("bench.history.small", 1_000_000L);
        long largeHistory = Long.getLong("bench.history.large", 10_000_000L);
        Set<String> only = new LinkedHashSet<>(Arrays.asList(System.getProperty("bench.only", String.join(",", ALL)).split(",")));
        if (!ALL.containsAll(only)) {
            throw new IllegalArgumentException("bench.only: unknown " + only + "; known: " + ALL);
        }
        Path root = Path.of(System.getProperty("samtykke.repo.root", "."));
        System.out.printf("throughput bench %s: open loop, %d connections, %d s per step, p99 bounds read %.0f ms, write %.0f ms%n",
                only, connections, step.toSeconds(), readBound, writeBound);

        Report report = new Report(ALL);
        Path data = Files.createTempDirectory("samtykke-throughput-pg");
        try (PostgresServer pg = PostgresServer.persistent(data, 0)) {
            ClusterBench cluster = null;
            // the cluster first: consent-service alone afterwards relays its events to a broker nobody in the cluster reads
            if (only.stream().anyMatch(ClusterBench.KEYS::contains)) {
                cluster = new ClusterBench(pg, report, only, step, connections, writeBound, bisections, drain);
                cluster.run();
            }
            if (only.stream().anyMatch(Set.of("read", "write", "cluster", "history")::contains)) {
                alone(pg, report, only, cluster, step, connections, readBound, writeBound, bisections, smallHistory, largeHistory);
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("only", only);
        settings.put("connections", connections);
        settings.put("stepSeconds", step.toSeconds());
        settings.put("p99BoundsMs", Map.of("read", readBound, "write", writeBound));
        settings.put("drainSeconds", drain.toSeconds());
        settings.put("history", Map.of("small", smallHistory, "large", largeHistory));
        report.write(root, settings, String.format(Locale.ROOT, "%d connections, %d s steps, %d bisections, history %s vs %s rows",
                connections, step.toSeconds(), bisections, millions(smallHistory), millions(largeHistory)), only.containsAll(ALL));
        System.exit(0); // the in-process Kafka broker's threads would keep the JVM alive
    }

    /** consent-service alone: read, write and their baselines, the JDBC write baseline of the cluster row, and history. */
    private static void alone(PostgresServer pg, Report report, Set<String> only, ClusterBench cluster, Duration step, int connections,
                              double readBound, double writeBound, int bisections, long smallHistory, long largeHistory) throws Exception {
        pg.ensureDatabase(DB);
        Map<String, String> settings = new java.util.HashMap<>(ServiceProcess.settingsFor(pg, DB));
        settings.put("samtykke.rate-limit.defaults.requests-per-second", "1000000");
        settings.put("samtykke.rate-limit.defaults.burst", "1000000");
        try (ServiceProcess service = ServiceProcess.start("consent-service", ServiceProcess.freePort(), settings)) {
            String admin = Tokens.forTests().mint("bench", "admin", "admin");
            String app = Tokens.forTests().mint("bench", "app", "app");
            expect(send(service.url("/v1/purposes/newsletter"), admin, "PUT",
                    "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
            expect(send(service.url("/v1/purposes/newsletter/notices"), admin, "POST",
                    "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}"), 201);
            List<Connection> jdbc = new ArrayList<>();
            List<ConsentBench.Baseline> baselines = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                Connection conn = DriverManager.getConnection(pg.jdbcUrl(DB), pg.user(), pg.password());
                jdbc.add(conn);
                baselines.add(new ConsentBench.Baseline(conn));
            }
            int subjects = 10_000;
            IntFunction<OpenLoop.Op> serviceWrite = c -> i -> expect(send(service.url("/v1/subjects/user-" + (i % subjects) + "/consents"),
                    app, "POST", (i / subjects) % 2 == 0 ? GRANT : WITHDRAW), 201);
            IntFunction<OpenLoop.Op> baselineWrite = c -> i -> baselines.get(c).write("base-" + (i % subjects), (i / subjects) % 2 == 0);
            IntFunction<OpenLoop.Op> serviceRead = c -> i -> expect(send(service.url("/v1/subjects/user-" + (i % 1000) + "/consents"),
                    app, "GET", null), 200);
            IntFunction<OpenLoop.Op> trivial = c -> i -> expect(send(service.url("/q/health/live"), null, "GET", null), 200);
            IntFunction<OpenLoop.Op> baselineRead = c -> i -> baselines.get(c).read("base-" + (i % 1000));

            System.out.println("consent-service alone: warming up (and writing the subjects the reads read) ...");
            OpenLoop.run(serviceWrite, connections, 300, Duration.ofSeconds(Math.max(5, step.toSeconds())));
            OpenLoop.run(baselineWrite, connections, 300, Duration.ofSeconds(Math.max(5, step.toSeconds())));
            OpenLoop.run(serviceRead, connections, 1000, step);
            OpenLoop.run(trivial, connections, 1000, step);
            OpenLoop.run(baselineRead, connections, 1000, step);

            List<OpenLoop.Search> searches = report.searches;
            if (only.contains("read")) {
                OpenLoop.Search read = search(searches, "read current state (service)", serviceRead, connections, 500, readBound, step, bisections);
                OpenLoop.Search readTrivial = search(searches, "trivial endpoint (/q/health/live)", trivial, connections, 1000, readBound, step, bisections);
                OpenLoop.Search readSql = search(searches, "same SELECTs over JDBC", baselineRead, connections, 1000, readBound, step, bisections);
                report.rates("read", "read, " + connections + " connections", read, "trivial endpoint of the same service", readTrivial, 0.35);
                report.rates("read", "read, " + connections + " connections", read, "same SELECTs over JDBC", readSql, 0.5);
            }
            OpenLoop.Search writeSql = null;
            if (only.contains("write") || only.contains("cluster")) {
                writeSql = search(searches, "same SQL transaction over JDBC", baselineWrite, connections, 200, writeBound, step, bisections);
            }
            if (only.contains("write")) {
                OpenLoop.Search write = search(searches, "one-change write (service)", serviceWrite, connections, 100, writeBound, step, bisections);
                report.rates("write", "one-change write, " + connections + " connections", write, "same SQL transaction over JDBC", writeSql, 0.5);
                Path pgbench = PgBench.find();
                if (pgbench != null) {
                    String name = "same SQL transaction in pgbench";
                    System.out.println(name + ":");
                    OpenLoop.Search writePg = OpenLoop.findMax(name, PgBench.writes(pgbench, pg, DB, connections, step), 200,
                            writeBound, bisections, x -> true);
                    searches.add(writePg);
                    report.rates("write", "one-change write, " + connections + " connections", write, name, writePg, 0.5);
                }
            }
            if (cluster != null && only.contains("cluster")) {
                clusterRow(report, cluster, writeSql, connections);
            }
            if (only.contains("history")) {
                history(report, jdbc.get(0), serviceRead, serviceWrite, connections, readBound, writeBound, step, bisections,
                        smallHistory, largeHistory);
            }
            for (Connection c : jdbc) {
                c.close();
            }
        }
    }

    /** The whole-cluster write against the JDBC transaction, with the consumers' lag during its best step. */
    private static void clusterRow(Report report, ClusterBench cluster, OpenLoop.Search writeSql, int connections) {
        OpenLoop.Search ours = cluster.writeSearch;
        double value = Report.rate(ours);
        double base = Report.rate(writeSql);
        double ratio = base == 0 || value == 0 ? Double.NaN : value / base;
        ClusterBench.StepLag lag = cluster.writeLag;
        String figure = lag == null ? Report.figure(ours) : Report.figure(ours) + String.format(Locale.ROOT,
                "; max lag audit %,d, projection %,d records; both drained %.1f s after the step", lag.maxAuditLag(),
                lag.maxProjectionLag(), lag.drainedAfterMillis() / 1000.0);
        report.add("cluster", new Report.Row("whole-cluster write (consent + preference + audit), " + connections + " connections",
                figure, value, "same SQL transaction over JDBC: " + (base == 0 ? "no rate held" : String.format(Locale.ROOT, "%,.0f/s", base)),
                base, ratio, ">= 0.50x", ratio >= 0.5));
    }

    /**
     * Reads and writes at {@code small} and then {@code large} bulk-loaded history rows (other subjects, ANALYZE after
     * each load): the ratio of the max rates, large / small.
     */
    private static void history(Report report, Connection jdbc, IntFunction<OpenLoop.Op> read, IntFunction<OpenLoop.Op> write,
                                int connections, double readBound, double writeBound, Duration step, int bisections, long small,
                                long large) throws Exception {
        String smallName = millions(small);
        String largeName = millions(large);
        System.out.printf(Locale.ROOT, "loading %,d history rows ...%n", small);
        long t0 = System.nanoTime();
        ConsentBench.loadHistory(jdbc, 0, small);
        System.out.printf(Locale.ROOT, "  loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        OpenLoop.Search readSmall = search(report.searches, "read at " + smallName + " history", read, connections, 500, readBound, step, bisections);
        OpenLoop.Search writeSmall = search(report.searches, "write at " + smallName + " history", write, connections, 100, writeBound, step, bisections);
        System.out.printf(Locale.ROOT, "loading %,d more history rows ...%n", large - small);
        t0 = System.nanoTime();
        ConsentBench.loadHistory(jdbc, small, large);
        System.out.printf(Locale.ROOT, "  loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        OpenLoop.Search readLarge = search(report.searches, "read at " + largeName + " history", read, connections, 500, readBound, step, bisections);
        OpenLoop.Search writeLarge = search(report.searches, "write at " + largeName + " history", write, connections, 100, writeBound, step, bisections);
        report.rates("history", "read at " + largeName + " vs " + smallName + " history rows", readLarge, "the same at " + smallName, readSmall, 0.8);
        report.rates("history", "write at " + largeName + " vs " + smallName + " history rows", writeLarge, "the same at " + smallName, writeSmall, 0.8);
    }

    private static String millions(long rows) {
        return rows % 1_000_000 == 0 ? rows / 1_000_000 + "M" : String.format(Locale.ROOT, "%,d", rows);
    }

    static final String GRANT = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
            + "\"evidence\":{\"source\":{\"appId\":\"bench\",\"platform\":\"ios\",\"appVersion\":\"1.0\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}";
    static final String WITHDRAW = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}";

    private static OpenLoop.Search search(List<OpenLoop.Search> all, String name, IntFunction<OpenLoop.Op> op, int connections,
                                          double start, double bound, Duration step, int bisections) throws InterruptedException {
        System.out.println(name + ":");
        OpenLoop.Search s = OpenLoop.findMax(name, op, connections, start, bound, step, bisections);
        all.add(s);
        return s;
    }

    static HttpResponse<String> send(String url, String token, String method, String body) throws Exception {
        return HTTP.send(ServiceProcess.request(url, token, method, body), HttpResponse.BodyHandlers.ofString());
    }

    static void expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
