package io.samtykke.system;

import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;

/**
 * All three services as real processes wired as in production (preference-service calls consent-service with its
 * own signed tokens; audit-service reads every topic), over the JVM's shared PostgreSQL and Kafka broker, trusting
 * one token key. {@link #shared()} is started once per test JVM, by the first test that asks; {@link #start(String)} makes one
 * of its own for a test that kills services. Both stop when the JVM ends.
 */
final class Cluster implements AutoCloseable {

    static final Set<String> AUDIENCES = Set.of(Tokens.CONSENT_AUDIENCE, Tokens.PREFERENCE_AUDIENCE, Tokens.AUDIT_AUDIENCE);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Cluster shared;

    private final Map<String, ServiceProcess> processes = new HashMap<>();
    private final Map<String, Map<String, String>> settings = new HashMap<>();
    final Tokens tokens;
    private final PrivateKey signingKey;
    private final byte[] linkKey;

    private Cluster(Tokens tokens, PrivateKey signingKey, byte[] linkKey) {
        this.tokens = tokens;
        this.signingKey = signingKey;
        this.linkKey = linkKey;
    }

    /** The cluster the tests that do not stop services share. */
    static synchronized Cluster shared() throws Exception {
        if (shared == null) {
            shared = start("cluster", Map.of(), Map.of("consent-service", SeedTenants.consentSettings()));
        }
        return shared;
    }

    /** A cluster of its own, on databases named after {@code name}, for a test that kills and restarts services. */
    static Cluster start(String name) throws Exception {
        return start(name, PostgresServer.shared());
    }

    /** The same on {@code pg}, for a test that kills PostgreSQL too. */
    static Cluster start(String name, PostgresServer pg) throws Exception {
        return start(name, pg, null);
    }

    /** The same on {@code pg} and the broker at {@code kafka} (null: the JVM's shared one), for a test that kills either. */
    static Cluster start(String name, PostgresServer pg, String kafka) throws Exception {
        return start(name, pg, kafka, true, Map.of(), Map.of());
    }

    /**
     * A cluster of its own on the shared PostgreSQL and broker, with {@code overrides} (e.g. rate limits, JVM system
     * properties) set on all three services after the defaults.
     */
    static Cluster start(String name, Map<String, String> overrides) throws Exception {
        return start(name, overrides, Map.of());
    }

    /** A cluster of its own on {@code pg} and the broker at {@code kafka}, with settings as {@link #start(String, Map, Map)}. */
    static Cluster start(String name, PostgresServer pg, String kafka, Map<String, String> overrides,
                         Map<String, Map<String, String>> byService) throws Exception {
        return start(name, pg, kafka, true, overrides, byService);
    }

    /**
     * The same, plus settings for one service only ({@code byService}: module name → settings), for a service's own
     * {@code samtykke.*} settings, which the other services would refuse as unknown.
     */
    static Cluster start(String name, Map<String, String> overrides, Map<String, Map<String, String>> byService) throws Exception {
        return start(name, PostgresServer.shared(), null, true, overrides, byService);
    }

    /**
     * The three services started at once against {@code pg} and {@code kafka} that need not run yet (their databases
     * need not exist yet either); returns once all three are ready, which is after their dependencies are.
     */
    static Cluster startBeforeDependencies(String name, PostgresServer pg, String kafka) throws Exception {
        return start(name, pg, kafka, false, Map.of(), Map.of());
    }

    private static Cluster start(String name, PostgresServer pg, String kafka, boolean createDatabases,
                                 Map<String, String> overrides, Map<String, Map<String, String>> byService) throws Exception {
        Path keys = Files.createTempDirectory("cluster-keys");
        Tokens tokens = Tokens.inFolder(keys);
        PrivateKey signingKey = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keys.resolve("jwt-private.pk8"))));
        if (createDatabases) {
            for (String database : databases(name)) {
                pg.ensureDatabase(database);
            }
        }
        int consentPort = ServiceProcess.freePort();

        Map<String, String> consentSettings = settings(pg, "consent_" + name, kafka);
        consentSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        // its own consumer group for export parts: other clusters' consent-services read the same topic from the same broker
        consentSettings.put("samtykke.export.group-id", "consent-service-exports-" + name);
        // the double opt-in links point at this cluster's consent-service, as a deployment's point at its public address
        consentSettings.put("samtykke.double-opt-in.confirmation-url", "http://127.0.0.1:" + consentPort + "/v1/confirmations/");
        consentSettings.put("samtykke.double-opt-in.requests-per-second", "100000");
        consentSettings.put("samtykke.double-opt-in.burst", "100000");

        Map<String, String> preferenceSettings = settings(pg, "preference_" + name, kafka);
        preferenceSettings.put("samtykke.public-rate-limit.requests-per-second", "100000");
        preferenceSettings.put("samtykke.public-rate-limit.burst", "100000");
        // its own consumer group: other tests' preference-services read the same topics from the same broker
        preferenceSettings.put("samtykke.projection.group-id", "preference-projection-" + name);
        preferenceSettings.remove("samtykke.identifiers.master-key");
        preferenceSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        preferenceSettings.put("samtykke.consent-service.url", "http://127.0.0.1:" + consentPort);
        preferenceSettings.put("samtykke.consent-service.signing-key-file", keys.resolve("jwt-private.pk8").toString());
        preferenceSettings.put("samtykke.links.secret", Base64.getEncoder().encodeToString(random(32)));

        Path auditKey = Files.createTempFile("audit-signing", ".pem");
        Files.writeString(auditKey, Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
        Map<String, String> auditSettings = ServiceProcess.asAuditService(settings(pg, "audit_" + name, kafka), pg,
                "audit-" + name, auditKey);
        auditSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        auditSettings.put("mp.messaging.incoming.events.group.id", "audit-service-" + name);

        for (Map<String, String> service : List.of(consentSettings, preferenceSettings, auditSettings)) {
            service.putAll(overrides);
        }
        consentSettings.putAll(byService.getOrDefault("consent-service", Map.of()));
        preferenceSettings.putAll(byService.getOrDefault("preference-service", Map.of()));
        auditSettings.putAll(byService.getOrDefault("audit-service", Map.of()));
        Cluster cluster = new Cluster(tokens, signingKey,
                Base64.getDecoder().decode(preferenceSettings.get("samtykke.links.secret")));
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
        // the three at once, as an orchestrator starts them: each waits for what it needs
        ExecutorService starting = Executors.newFixedThreadPool(3);
        try {
            List<Future<ServiceProcess>> started = List.of(
                    starting.submit(() -> cluster.launch("consent-service", consentPort, consentSettings)),
                    starting.submit(() -> cluster.launch("preference-service", ServiceProcess.freePort(), preferenceSettings)),
                    starting.submit(() -> cluster.launch("audit-service", ServiceProcess.freePort(), auditSettings)));
            for (Future<ServiceProcess> f : started) {
                f.get();
            }
        } finally {
            starting.shutdown();
        }
        return cluster;
    }

    /** The databases a cluster named {@code name} uses. */
    static List<String> databases(String name) {
        return List.of("consent_" + name, "preference_" + name, "audit_" + name);
    }

    /**
     * A service's settings on {@code database}; the rate limits are raised out of the way, since the tests here send
     * thousands of requests as one client and a 429 would hide the answer they check (rate limits have tests of their own).
     */
    private static Map<String, String> settings(PostgresServer pg, String database, String kafka) {
        Map<String, String> settings = new HashMap<>(ServiceProcess.settingsFor(pg, database));
        if (kafka != null) {
            settings.put("kafka.bootstrap.servers", kafka);
        }
        settings.put("samtykke.rate-limit.defaults.requests-per-second", "100000");
        settings.put("samtykke.rate-limit.defaults.burst", "100000");
        return settings;
    }

    /** Starts the module named by {@code name} (before any '#': "preference-service#2" is a second instance). */
    private ServiceProcess launch(String name, int port, Map<String, String> serviceSettings) throws Exception {
        synchronized (this) {
            settings.put(name, serviceSettings);
        }
        ServiceProcess process = ServiceProcess.start(name.replaceAll("#.*", ""), port, serviceSettings);
        synchronized (this) {
            processes.put(name, process);
        }
        return process;
    }

    /**
     * A second instance of {@code name} on its own port with the same settings (database, consumer group, leader
     * locks), reachable as {@code name + "#2"}: the two share the work as replicas would.
     */
    ServiceProcess startSecond(String name) throws Exception {
        Map<String, String> same;
        synchronized (this) {
            same = settings.get(name);
        }
        return launch(name + "#2", ServiceProcess.freePort(), same);
    }

    synchronized ServiceProcess service(String name) {
        ServiceProcess process = processes.get(name);
        if (process == null) {
            throw new IllegalArgumentException(name);
        }
        return process;
    }

    /** A request to {@code service} with a bearer token (none when null); {@code body} as JSON unless it is null. */
    HttpResponse<String> send(String service, String method, String path, String token, String body) throws Exception {
        return send(service, method, path, token, body == null ? null : "application/json", body);
    }

    HttpResponse<String> send(String service, String method, String path, String token, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder();
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(service, path, b, token);
    }

    /** {@code request} (method, body and headers set) sent to {@code path} of {@code service}, with the token if not null. */
    HttpResponse<String> send(String service, String path, HttpRequest.Builder request, String token) throws Exception {
        request.uri(URI.create(service(service).url(path))).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits until {@code service} answers its readiness check (at most {@code atMost}); returns how long that took. */
    Duration awaitReady(String service, Duration atMost) {
        Instant start = Instant.now();
        await(service + " ready").atMost(atMost).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> send(service, "GET", "/q/health/ready", null, null).statusCode() == 200);
        return Duration.between(start, Instant.now());
    }

    /** kill -9 of {@code name}, then the same service on the same port and settings; returns the time from launch to ready. */
    Duration killAndRestart(String name) throws Exception {
        return restart(name, true);
    }

    /** A clean stop (SIGTERM, graceful shutdown) of {@code name}, then the same service again; returns launch to ready. */
    Duration stopAndRestart(String name) throws Exception {
        return restart(name, false);
    }

    private Duration restart(String name, boolean kill) throws Exception {
        ServiceProcess old = service(name);
        if (kill) {
            old.kill();
        } else {
            old.close();
        }
        Instant launched = Instant.now();
        Map<String, String> same;
        synchronized (this) {
            same = settings.get(name);
        }
        launch(name, old.port(), same);
        return Duration.between(launched, Instant.now());
    }

    /** The claims of a valid token for all three services, before a test changes something. */
    static JwtClaimsBuilder claims(String tenant, String subject, String... roles) {
        return Jwt.issuer(Tokens.ISSUER).audience(AUDIENCES).subject(subject).groups(Set.of(roles)).claim("tenant", tenant)
                .issuedAt(Instant.now().minusSeconds(5)).expiresAt(Instant.now().plusSeconds(3600));
    }

    /**
     * The key preference-service signs its email links with ({@code samtykke.links.secret}), for a test that must
     * make a link the service would not issue, such as one already expired.
     */
    byte[] linkKey() {
        return linkKey.clone();
    }

    /** Signs {@code claims} with the key the services trust. */
    String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("samtykke-dev").sign(signingKey);
    }

    /** Stops the services (the shared cluster is stopped when the JVM ends). */
    @Override
    public synchronized void close() {
        ServiceProcess.closeAll(processes.values());
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
