package io.samtykke.testsupport;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One service as a real operating-system process (its Quarkus fast-jar), which a system test may
 * kill -9 and a benchmark may measure. The repository root comes from {@code samtykke.repo.root}.
 */
public final class ServiceProcess implements AutoCloseable {

    /**
     * The JVM options of a service process: tests favour a quick start (C1 only, small heap); a benchmark sets
     * {@code samtykke.service.jvm-options} to what production runs (deploy/local, the container images).
     */
    public static final String JVM_OPTIONS = "samtykke.service.jvm-options";
    private static final String TEST_JVM_OPTIONS = "-Xmx256m -XX:TieredStopAtLevel=1";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Path repoRoot() {
        return Path.of(System.getProperty("samtykke.repo.root", "..")).toAbsolutePath().normalize();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code service} on {@code port} with the given settings and waits until it is ready. */
    public static ServiceProcess start(String service, int port, Map<String, String> settings) throws Exception {
        Path jar = repoRoot().resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing; build the service first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(System.getProperty(JVM_OPTIONS, TEST_JVM_OPTIONS).trim().split("\\s+")));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-Dquarkus.http.port=" + port);
        cmd.add("-jar");
        cmd.add(jar.toString());
        Path log = Path.of("target", service + "-" + port + "-" + System.nanoTime() + ".log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess sp = new ServiceProcess(p, port, log);
        sp.awaitReady(Duration.ofSeconds(90));
        return sp;
    }

    /**
     * The settings a service process needs to run against {@code pg}'s {@code database}, the JVM's
     * shared Kafka broker and tokens from {@link Tokens#forTests()}, with a fresh identifier key.
     */
    public static Map<String, String> settingsFor(PostgresServer pg, String database) {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("quarkus.datasource.reactive.url", pg.reactiveUrl(database));
        settings.put("quarkus.datasource.jdbc.url", pg.jdbcUrl(database));
        settings.put("quarkus.datasource.username", pg.user());
        settings.put("quarkus.datasource.password", pg.password());
        settings.put("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
        settings.put("quarkus.oidc.public-key", Tokens.forTests().publicKey());
        settings.put("quarkus.oidc.token.issuer", Tokens.ISSUER);
        settings.put("samtykke.identifiers.master-key", java.util.Base64.getEncoder().encodeToString(key));
        settings.put("quarkus.log.level", "WARN");
        return settings;
    }

    /**
     * audit-service's settings on {@code settings} (made for its database): Flyway migrates as the database owner and
     * the service runs as the append-only role {@code audit_app}, which its migration creates with {@code appPassword};
     * it signs checkpoints with the Ed25519 key in {@code signingKeyFile} and wraps subjects' data keys with a fresh
     * key-encryption key; it has no identifier key.
     */
    public static Map<String, String> asAuditService(Map<String, String> settings, PostgresServer pg, String appPassword,
                                                     Path signingKeyFile) {
        byte[] kek = new byte[32];
        new java.security.SecureRandom().nextBytes(kek);
        settings.remove("samtykke.identifiers.master-key");
        settings.put("quarkus.flyway.username", pg.user());
        settings.put("quarkus.flyway.password", pg.password());
        settings.put("quarkus.datasource.username", "audit_app");
        settings.put("quarkus.datasource.password", appPassword);
        settings.put("samtykke.audit.signing-key-file", signingKeyFile.toString());
        settings.put("samtykke.audit.key-encryption-key", java.util.Base64.getEncoder().encodeToString(kek));
        return settings;
    }

    /** Stops each of {@code processes} (a cluster's), going on past an interrupt and keeping it for the caller. */
    public static void closeAll(Iterable<ServiceProcess> processes) {
        for (ServiceProcess p : processes) {
            try {
                p.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public int port() {
        return port;
    }

    /** The operating-system process id, for a benchmark that reads the process's memory (/proc/&lt;pid&gt;/status). */
    public long pid() {
        return process.pid();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /**
     * A request to this service with a bearer token (none when null), and a JSON body unless {@code body} is null,
     * as a client outside the process sends it.
     */
    public HttpResponse<String> send(String token, String method, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(request(url(path), token, method, body), HttpResponse.BodyHandlers.ofString());
    }

    /** The request {@link #send} sends, for a client of one's own (a benchmark's). */
    public static HttpRequest request(String url, String token, String method, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return request.build();
    }

    private void awaitReady(Duration timeout) {
        try {
            Awaitility.await(url("/q/health/ready") + " answers 200").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .until(this::ready);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("service not ready within " + timeout + "; log:\n" + tail(), e);
        }
    }

    private boolean ready() throws InterruptedException {
        if (!process.isAlive()) {
            throw new IllegalStateException("service exited with " + process.exitValue() + "; log:\n" + tail());
        }
        try {
            return send(null, "GET", "/q/health/ready", null).statusCode() == 200;
        } catch (IOException notYet) {
            return false; // not listening yet
        }
    }

    /** kill -9: no shutdown hooks, no flushing, whatever was in flight is cut off. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(File.separator.equals("/") ? "\n" : "\r\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
