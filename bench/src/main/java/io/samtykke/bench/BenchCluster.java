package io.samtykke.bench;

import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * consent-service, preference-service and audit-service as real processes on one PostgreSQL and the JVM's Kafka
 * broker, wired as system-tests' Cluster and deploy/local wire them (preference-service calls consent-service with
 * its own signed tokens, audit-service reads every topic), with rate limits out of the way. The three are launched at
 * once, as an orchestrator starts them; each one's launch-to-ready time is kept.
 */
final class BenchCluster implements AutoCloseable {

    static final String CONSENT = "consent-service";
    static final String PREFERENCE = "preference-service";
    static final String AUDIT = "audit-service";
    static final String AUDIT_GROUP = "audit-service-bench";
    static final String PROJECTION_GROUP = "preference-projection-bench";

    final Tokens tokens;
    final String consentDb = "consent_cluster";
    final String preferenceDb = "preference_cluster";
    final String auditDb = "audit_cluster";
    private final Map<String, Map<String, String>> settings = new LinkedHashMap<>();
    private final Map<String, ServiceProcess> processes = new HashMap<>();
    /** Launch to /q/health/ready answering 200, per service, and for all three (key "cluster"). */
    final Map<String, Duration> startToReady = new LinkedHashMap<>();

    private BenchCluster(Tokens tokens) {
        this.tokens = tokens;
    }

    static BenchCluster start(PostgresServer pg) throws Exception {
        Path keys = Files.createTempDirectory("samtykke-bench-cluster-keys");
        BenchCluster cluster = new BenchCluster(Tokens.inFolder(keys));
        for (String db : List.of(cluster.consentDb, cluster.preferenceDb, cluster.auditDb)) {
            pg.ensureDatabase(db);
        }
        int consentPort = ServiceProcess.freePort();
        Map<String, String> consent = cluster.settings(pg, cluster.consentDb);
        consent.put("samtykke.export.group-id", "consent-service-exports-bench");

        Map<String, String> preference = cluster.settings(pg, cluster.preferenceDb);
        preference.remove("samtykke.identifiers.master-key");
        preference.put("samtykke.projection.group-id", PROJECTION_GROUP);
        preference.put("samtykke.consent-service.url", "http://127.0.0.1:" + consentPort);
        preference.put("samtykke.consent-service.signing-key-file", keys.resolve("jwt-private.pk8").toString());
        preference.put("samtykke.links.secret", Base64.getEncoder().encodeToString(random(32)));

        Path auditKey = Files.writeString(keys.resolve("audit-signing.pem"), Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
        Map<String, String> audit = ServiceProcess.asAuditService(cluster.settings(pg, cluster.auditDb), pg, "audit-bench", auditKey);
        audit.put("mp.messaging.incoming.events.group.id", AUDIT_GROUP);

        cluster.settings.put(CONSENT, consent);
        cluster.settings.put(PREFERENCE, preference);
        cluster.settings.put(AUDIT, audit);
        Map<String, Integer> ports = Map.of(CONSENT, consentPort, PREFERENCE, ServiceProcess.freePort(), AUDIT, ServiceProcess.freePort());
        ExecutorService starting = Executors.newFixedThreadPool(3);
        long t0 = System.nanoTime();
        try {
            List<Future<Duration>> started = cluster.settings.keySet().stream()
                    .map(name -> starting.submit(() -> cluster.launch(name, ports.get(name)))).toList();
            for (Future<Duration> f : started) {
                f.get();
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        } finally {
            starting.shutdown();
        }
        cluster.startToReady.put("cluster", Duration.ofNanos(System.nanoTime() - t0));
        return cluster;
    }

    private Map<String, String> settings(PostgresServer pg, String database) {
        Map<String, String> s = new HashMap<>(ServiceProcess.settingsFor(pg, database));
        s.put("quarkus.oidc.public-key", tokens.publicKey());
        s.put("samtykke.rate-limit.defaults.requests-per-second", "1000000");
        s.put("samtykke.rate-limit.defaults.burst", "1000000");
        return s;
    }

    /** Starts {@code name} on {@code port}; returns its launch-to-ready time (also kept in {@link #startToReady}). */
    Duration launch(String name, int port) throws Exception {
        long t0 = System.nanoTime();
        ServiceProcess p = ServiceProcess.start(name, port, settings.get(name));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        synchronized (this) {
            processes.put(name, p);
            startToReady.putIfAbsent(name, took);
        }
        return took;
    }

    synchronized ServiceProcess service(String name) {
        return processes.get(name);
    }

    /** Stops {@code name} (SIGTERM, a clean stop) and keeps its port for {@link #launch}. */
    int stop(String name) throws InterruptedException {
        ServiceProcess p;
        synchronized (this) {
            p = processes.remove(name);
        }
        p.close();
        return p.port();
    }

    /** The resident set size of {@code name}'s process in MB, from /proc/&lt;pid&gt;/status (VmRSS). */
    double rssMb(String name) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(service(name).pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + name);
    }

    @Override
    public synchronized void close() {
        ServiceProcess.closeAll(processes.values());
        processes.clear();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
