package io.samtykke.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Throughput near the machine's limit (bench/README.md, "throughput"): consent-service's current-state read and
 * one-change write, open loop at rising fixed rates over several connections ({@link OpenLoop}), each against
 * baselines run in the same invocation on the same machine and database: a trivial endpoint of the same service
 * (HTTP, JWT-free), and the same SQL as the service's transaction over a plain JDBC connection per worker. Prints one
 * line per benchmark (figure, baseline, ratio, target, PASS/FAIL), writes bench/results/&lt;date&gt;.json and a PNG plot
 * per benchmark, and puts the table into bench/README.md.
 */
public final class ThroughputBench {

    private static final String DB = "consent";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** One line of the table. */
    record Row(String benchmark, String figure, double value, String baseline, double baselineValue, double ratio,
               double target, boolean pass) {
    }

    public static void main(String[] args) throws Exception {
        Duration step = Duration.ofSeconds(Long.getLong("bench.step.seconds", 5));
        int connections = Integer.getInteger("bench.connections", 8);
        double readBound = Double.parseDouble(System.getProperty("bench.read.p99.ms", "25"));
        double writeBound = Double.parseDouble(System.getProperty("bench.write.p99.ms", "100"));
        int bisections = Integer.getInteger("bench.bisections", 3);
        Path root = Path.of(System.getProperty("samtykke.repo.root", "."));
        System.out.printf("throughput bench: open loop, %d connections, %d s per step, p99 bounds read %.0f ms, write %.0f ms%n",
                connections, step.toSeconds(), readBound, writeBound);

        Path data = Files.createTempDirectory("samtykke-throughput-pg");
        try (PostgresServer pg = PostgresServer.persistent(data, 0)) {
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

                System.out.println("warming up (and writing the subjects the reads read) ...");
                OpenLoop.run(serviceWrite, connections, 300, Duration.ofSeconds(Math.max(5, step.toSeconds())));
                OpenLoop.run(baselineWrite, connections, 300, Duration.ofSeconds(Math.max(5, step.toSeconds())));
                OpenLoop.run(serviceRead, connections, 1000, step);
                OpenLoop.run(trivial, connections, 1000, step);
                OpenLoop.run(baselineRead, connections, 1000, step);

                List<OpenLoop.Search> searches = new ArrayList<>();
                OpenLoop.Search read = search(searches, "read current state (service)", serviceRead, connections, 500, readBound, step, bisections);
                OpenLoop.Search readTrivial = search(searches, "trivial endpoint (/q/health/live)", trivial, connections, 1000, readBound, step, bisections);
                OpenLoop.Search readSql = search(searches, "same SELECTs over JDBC", baselineRead, connections, 1000, readBound, step, bisections);
                OpenLoop.Search write = search(searches, "one-change write (service)", serviceWrite, connections, 100, writeBound, step, bisections);
                OpenLoop.Search writeSql = search(searches, "same SQL transaction over JDBC", baselineWrite, connections, 200, writeBound, step, bisections);

                List<Row> rows = List.of(
                        row("read, " + connections + " connections", read, "trivial endpoint of the same service", readTrivial, 0.35),
                        row("read, " + connections + " connections", read, "same SELECTs over JDBC", readSql, 0.5),
                        row("one-change write, " + connections + " connections", write, "same SQL transaction over JDBC", writeSql, 0.5));
                System.out.println();
                StringBuilder table = new StringBuilder("| benchmark | samtykke (max rate within its p99 bound) | baseline in the same run | ratio | target | |\n|---|---|---|---|---|---|\n");
                System.out.print(table);
                for (Row r : rows) {
                    String line = String.format(Locale.ROOT, "| %s | %s | %s: %,.0f/s | %.2fx | >= %.2fx | %s |", r.benchmark(), r.figure(),
                            r.baseline(), r.baselineValue(), r.ratio(), r.target(), r.pass() ? "PASS" : "FAIL");
                    System.out.println(line);
                    table.append(line).append('\n');
                }
                String date = LocalDate.now().toString();
                Path results = root.resolve("bench").resolve("results");
                Files.createDirectories(results);
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("date", Instant.now().toString());
                json.put("connections", connections);
                json.put("stepSeconds", step.toSeconds());
                json.put("p99BoundsMs", Map.of("read", readBound, "write", writeBound));
                json.put("rows", rows);
                json.put("searches", searches);
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValue(results.resolve(date + "-throughput.json").toFile(), json);
                for (OpenLoop.Search s : searches) {
                    plot(s, results.resolve(date + "-" + s.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "") + ".png"));
                }
                updateReadme(root.resolve("bench").resolve("README.md"), date, table.toString());
                System.out.println("results: " + results.resolve(date + "-throughput.json") + " and one PNG per benchmark");
                for (Connection c : jdbc) {
                    c.close();
                }
            }
        }
        System.exit(0); // the in-process Kafka broker's threads would keep the JVM alive
    }

    private static final String GRANT = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
            + "\"evidence\":{\"source\":{\"appId\":\"bench\",\"platform\":\"ios\",\"appVersion\":\"1.0\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}";
    private static final String WITHDRAW = "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}";

    private static OpenLoop.Search search(List<OpenLoop.Search> all, String name, IntFunction<OpenLoop.Op> op, int connections,
                                          double start, double bound, Duration step, int bisections) throws InterruptedException {
        System.out.println(name + ":");
        OpenLoop.Search s = OpenLoop.findMax(name, op, connections, start, bound, step, bisections);
        all.add(s);
        return s;
    }

    private static Row row(String benchmark, OpenLoop.Search ours, String baselineName, OpenLoop.Search baseline, double target) {
        double value = ours.best() == null ? 0 : ours.best().achievedPerSecond();
        double base = baseline.best() == null ? 0 : baseline.best().achievedPerSecond();
        double ratio = base == 0 ? 0 : value / base;
        String figure = ours.best() == null ? "no rate held" : String.format(Locale.ROOT, "%,.0f/s, p99 %.1f ms", value, ours.best().p99());
        return new Row(benchmark, figure, value, baselineName, base, ratio, target, ratio >= target);
    }

    /** Latency percentiles per offered rate, and completions per second of the best step. */
    private static void plot(OpenLoop.Search s, Path png) throws Exception {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(s.name() + ": latency by offered rate")
                .xAxisTitle("offered rate (requests/s)").yAxisTitle("latency (ms)").build();
        List<OpenLoop.Step> steps = s.steps().stream().sorted(java.util.Comparator.comparingDouble(OpenLoop.Step::offeredPerSecond)).toList();
        List<Double> x = steps.stream().map(OpenLoop.Step::offeredPerSecond).toList();
        chart.addSeries("p50", x, steps.stream().map(OpenLoop.Step::p50).toList());
        chart.addSeries("p90", x, steps.stream().map(OpenLoop.Step::p90).toList());
        chart.addSeries("p99", x, steps.stream().map(OpenLoop.Step::p99).toList());
        chart.getStyler().setYAxisLogarithmic(true);
        XYChart throughput = new XYChartBuilder().width(900).height(300).title(s.name() + ": completions per second, best step")
                .xAxisTitle("second").yAxisTitle("requests/s").build();
        if (s.best() != null && !s.best().perSecond().isEmpty()) {
            List<Integer> seconds = new ArrayList<>();
            for (int i = 0; i < s.best().perSecond().size(); i++) {
                seconds.add(i);
            }
            throughput.addSeries("completed", seconds, s.best().perSecond());
        } else {
            throughput.addSeries("completed", List.of(0), List.of(0));
        }
        String base = png.toString().replaceAll("\\.png$", "");
        BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(throughput, base + "-throughput", BitmapEncoder.BitmapFormat.PNG);
    }

    /** Replaces the table between the markers in bench/README.md with this run's. */
    private static void updateReadme(Path readme, String date, String table) throws Exception {
        String text = Files.readString(readme);
        String begin = "<!-- throughput:begin -->";
        String end = "<!-- throughput:end -->";
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        if (a < 0 || b < a) {
            return;
        }
        String latest = begin + "\nLatest run (" + date + ", written by the bench):\n\n" + table + "\n";
        Files.writeString(readme, text.substring(0, a) + latest + text.substring(b));
    }

    private static HttpResponse<String> send(String url, String token, String method, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, int status) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(r.request().method() + " " + r.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
    }
}
