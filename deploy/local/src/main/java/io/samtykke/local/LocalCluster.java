package io.samtykke.local;

import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.Tokens;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Starts the whole samtykke cluster on one machine with nothing but a JDK: embedded PostgreSQL,
 * a Kafka broker and the three services, with data kept in {@code $SAMTYKKE_HOME} (default
 * {@code ~/.samtykke}). Ctrl-C stops everything in reverse order. See deploy/local/README.md.
 */
public final class LocalCluster {

    static final int POSTGRES_PORT = 15432;

    private static final Duration KAFKA_START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SERVICE_STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration KAFKA_STOP_GRACE = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 30;

    private final Path home;
    private final Path logs;
    private final Path repo;
    private final ClusterLock lock;
    private final Map<QuarkusService, ChildJvm> services = new LinkedHashMap<>();
    private KafkaNode kafka;
    private PostgresServer postgres;
    private volatile boolean stopping;

    private LocalCluster(Path home, Path logs, Path repo, ClusterLock lock) {
        this.home = home;
        this.logs = logs;
        this.repo = repo;
        this.lock = lock;
    }

    public static void main(String[] args) throws Exception {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Path home = home();
        Files.createDirectories(home);
        if (args.length == 1 && args[0].equals("--status")) {
            System.exit(status(home));
        }
        if (args.length > 0) {
            System.err.println("usage: deploy/local/run.sh [--status]");
            System.exit(2);
        }

        Optional<ClusterLock> lock = ClusterLock.tryAcquire(home);
        if (lock.isEmpty()) {
            System.err.println("samtykke local cluster is already running (pid " + ClusterLock.holderPid(home)
                    + "); stop it with Ctrl-C in its terminal");
            System.exit(1);
        }
        List<String> taken = takenPorts();
        if (!taken.isEmpty()) {
            taken.forEach(System.err::println);
            System.err.println("stop whatever holds them (find it with: ss -ltnp, or lsof -iTCP -sTCP:LISTEN), then start again");
            System.exit(1);
        }
        Path repo = repoRoot();
        List<String> missing = QuarkusService.ALL.stream().filter(s -> !s.isBuilt(repo))
                .map(s -> s.jar(repo).toString()).toList();
        if (!missing.isEmpty()) {
            System.err.println("not built yet: " + String.join(", ", missing));
            System.err.println("build with ./mvnw install -DskipTests, or start with deploy/local/run.sh, which builds first");
            System.exit(1);
        }

        Path logs = freshLogFolder(home);
        // the embedded PostgreSQL's output reaches us through SLF4J; this config sends it to logs/postgres.log
        System.setProperty("samtykke.logs", logs.toString());
        System.setProperty("log4j2.configurationFile", "io/samtykke/local/launcher-log4j2.xml");
        // our shutdown hook still logs PostgreSQL's stop; log4j's own hook must not close the files first
        System.setProperty("log4j2.shutdownHookEnabled", "false");

        LocalCluster cluster = new LocalCluster(home, logs, repo, lock.get());
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "samtykke-stop"));
        try {
            cluster.start();
        } catch (StartFailure failure) {
            if (cluster.stopping) {
                return; // Ctrl-C while starting: the shutdown hook is already cleaning up
            }
            System.err.println();
            System.err.println("FAILED: " + failure.getMessage());
            System.err.println("last " + LOG_TAIL_LINES + " lines of " + failure.process().log() + ":");
            failure.process().logTail(LOG_TAIL_LINES).forEach(line -> System.err.println("  | " + line));
            System.exit(1);
        } catch (Exception e) {
            if (cluster.stopping) {
                return;
            }
            System.err.println();
            System.err.println("FAILED: " + e + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
            System.err.println("logs are in " + logs);
            System.exit(1);
        }
        cluster.printSummary(System.currentTimeMillis() - jvmStart);
        cluster.watch();
    }

    private void start() throws Exception {
        System.out.println("starting the samtykke local cluster; data folder " + home);
        long t = System.nanoTime();
        // Each process is started while holding this object's lock, which stop() takes too: a Ctrl-C
        // during start either sees the process and stops it, or prevents it from starting.
        // Kafka's JVM starts first and boots while PostgreSQL starts in this one.
        synchronized (this) {
            checkNotStopping();
            kafka = KafkaNode.start(home, logs, absoluteClasspath());
        }
        System.out.println("  " + pad("Kafka") + " starting (pid " + kafka.process().pid() + ")");

        synchronized (this) {
            checkNotStopping();
            postgres = PostgresServer.persistent(home.resolve("postgres"), POSTGRES_PORT);
        }
        QuarkusService.ALL.forEach(s -> postgres.ensureDatabase(s.database()));
        System.out.println("  " + pad("PostgreSQL") + " ready on " + postgres.host() + ":" + postgres.port() + since(t));

        kafka.awaitReady(KAFKA_START_TIMEOUT);
        System.out.println("  " + pad("Kafka") + " ready on " + KafkaNode.bootstrapServers() + since(t));

        Path keys = home.resolve("keys");
        String publicKey = Tokens.inFolder(keys).publicKey();
        ownerOnly(keys);
        for (QuarkusService service : QuarkusService.ALL) {
            Map<String, String> env = serviceEnvironment(service, publicKey, keys);
            synchronized (this) {
                checkNotStopping();
                services.put(service, service.start(repo, home, logs, env));
            }
            System.out.println("  " + pad(service.name()) + " starting (pid " + services.get(service).pid() + ")");
        }
        awaitServicesReady(startTimeout(), t);
    }

    private void checkNotStopping() {
        if (stopping) {
            throw new IllegalStateException("stopped while starting");
        }
    }

    private Map<String, String> serviceEnvironment(QuarkusService service, String publicKey, Path keys) throws IOException {
        Map<String, String> env = new HashMap<>();
        // a development key generated into the data folder: tokens from deploy/local/token verify against it
        env.put("QUARKUS_OIDC_PUBLIC_KEY", publicKey);
        env.put("QUARKUS_OIDC_TOKEN_ISSUER", Tokens.ISSUER);
        env.put("KAFKA_BOOTSTRAP_SERVERS", KafkaNode.bootstrapServers());
        // the defaults below yield to the user's own environment, which the children inherit
        defaultTo(env, "QUARKUS_HTTP_HOST", "127.0.0.1");
        if (service.name().equals("consent-service")) {
            defaultTo(env, "SAMTYKKE_DEMO_ENABLED", "true");
            defaultTo(env, "SAMTYKKE_IDENTIFIERS_MASTER_KEY", developmentSecret(keys.resolve("identifiers-master-key")));
        }
        if (service.name().equals("preference-service")) {
            // signs preference center and unsubscribe links, so links in emails survive restarts
            defaultTo(env, "SAMTYKKE_LINKS_SECRET", developmentSecret(keys.resolve("links-secret")));
            // encrypts webhook subscriptions' signing secrets in the database
            defaultTo(env, "SAMTYKKE_WEBHOOKS_SECRET_ENCRYPTION_KEY", developmentSecret(keys.resolve("webhook-secret-key")));
            // withdrawals from the preference center go to consent-service with tokens signed by the development key
            defaultTo(env, "SAMTYKKE_CONSENT_SERVICE_SIGNING_KEY_FILE", keys.resolve("jwt-private.pk8").toString());
            // webhook receivers of a development cluster listen on this machine: loopback only, never link-local
            // (cloud metadata) or private networks (SSRF)
            defaultTo(env, "SAMTYKKE_WEBHOOKS_ALLOW_LOOPBACK", "true");
        }
        if (service.name().equals("audit-service")) {
            // signs the audit log's checkpoints; kept, so checkpoints signed before a restart still verify
            defaultTo(env, "SAMTYKKE_AUDIT_SIGNING_KEY_FILE", developmentSigningKey(keys.resolve("audit-signing-key.pem")).toString());
            // wraps each person's data key in the audit log; without it their sealed values cannot be read
            defaultTo(env, "SAMTYKKE_AUDIT_KEY_ENCRYPTION_KEY", developmentSecret(keys.resolve("audit-key-encryption-key")));
        }
        return env;
    }

    private void awaitServicesReady(Duration timeout, long t) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<QuarkusService> pending = new LinkedHashSet<>(services.keySet());
        while (!pending.isEmpty()) {
            for (QuarkusService service : List.copyOf(pending)) {
                ChildJvm process = services.get(service);
                if (!process.isAlive()) {
                    throw new StartFailure(process, service.name() + " stopped while starting (exit code " + process.exitValue() + ")");
                }
                if (service.isReady()) {
                    pending.remove(service);
                    System.out.println("  " + pad(service.name()) + " ready on " + service.url() + since(t));
                }
            }
            if (!pending.isEmpty() && System.nanoTime() > deadline) {
                QuarkusService late = pending.iterator().next();
                throw new StartFailure(services.get(late), late.name() + " was not ready within " + timeout.toSeconds()
                        + " s (" + late.url() + "/q/health/ready)");
            }
            Thread.sleep(500);
        }
    }

    private void printSummary(long millis) {
        String token = repo.equals(Path.of("").toAbsolutePath().normalize()) ? "deploy/local/token" : repo.resolve("deploy/local/token").toString();
        System.out.println();
        System.out.printf("samtykke local cluster is up in %.1f s%n%n", millis / 1000.0);
        System.out.printf("  %-20s %-24s %-38s %s%n", "service", "URL", "Swagger UI", "health");
        for (QuarkusService s : services.keySet()) {
            System.out.printf("  %-20s %-24s %-38s %s%n", s.name(), s.url(), s.url() + "/q/swagger-ui", s.url() + "/q/health");
        }
        System.out.println();
        System.out.printf("  %-20s %s%n", "Kafka", KafkaNode.bootstrapServers());
        System.out.printf("  %-20s %s:%d  (user %s, password %s; databases %s)%n", "PostgreSQL", postgres.host(), postgres.port(),
                PostgresServer.USER, PostgresServer.PASSWORD,
                QuarkusService.ALL.stream().map(QuarkusService::database).collect(Collectors.joining(", ")));
        System.out.printf("  %-20s %s  (logs in %s; delete the folder to start from scratch)%n", "data folder", home, logs);
        System.out.printf("  %-20s %s TENANT ROLE[,ROLE] [SUBJECT]   roles: subject app admin auditor dpo marketing%n", "token", token);
        // mobilize-me is one of the demo tenants consent-service loads (SAMTYKKE_DEMO_ENABLED)
        System.out.printf("  %-20s curl -H \"Authorization: Bearer $(%s mobilize-me admin)\" %s/v1/purposes%n", "e.g.", token,
                QuarkusService.ALL.get(0).url());
        System.out.println();
        System.out.println("Stop with Ctrl-C.");
    }

    /** Reports children that die after start; the rest keep running so the user can read the log and decide. */
    private void watch() throws InterruptedException {
        Set<ChildJvm> reported = new HashSet<>();
        while (!stopping) {
            Thread.sleep(2000);
            for (ChildJvm child : children()) {
                if (!child.isAlive() && !stopping && reported.add(child)) {
                    System.err.println(child.name() + " stopped unexpectedly (exit code " + child.exitValue() + "); its log ends with:");
                    child.logTail(LOG_TAIL_LINES).forEach(line -> System.err.println("  | " + line));
                }
            }
        }
    }

    private List<ChildJvm> children() {
        List<ChildJvm> all = new ArrayList<>(services.values());
        if (kafka != null) {
            all.add(kafka.process());
        }
        return all;
    }

    /** Shutdown hook: services first (they still flush to Kafka and PostgreSQL), then Kafka, then PostgreSQL. */
    private synchronized void stop() {
        stopping = true;
        System.out.println();
        System.out.println("stopping the samtykke local cluster");
        services.values().forEach(ChildJvm::requestStop);
        services.values().forEach(s -> s.awaitStop(SERVICE_STOP_GRACE));
        if (!services.isEmpty()) {
            System.out.println("  services stopped");
        }
        if (kafka != null) {
            kafka.process().requestStop();
            kafka.process().awaitStop(KAFKA_STOP_GRACE);
            System.out.println("  Kafka stopped");
        }
        if (postgres != null) {
            try {
                postgres.close();
                System.out.println("  PostgreSQL stopped");
            } catch (Exception e) {
                System.err.println("  PostgreSQL did not stop cleanly: " + e);
            }
        }
        try {
            lock.close();
        } catch (IOException ignored) {
            // the OS releases the lock when this process exits a moment later anyway
        }
        System.out.println("stopped");
    }

    /** {@code --status}: whether a cluster runs on this data folder, and which services answer. */
    private static int status(Path home) throws IOException {
        Optional<ClusterLock> lock = ClusterLock.tryAcquire(home);
        if (lock.isPresent()) {
            lock.get().close();
            System.out.println("samtykke local cluster is not running (data folder " + home + ")");
            return 1;
        }
        System.out.println("samtykke local cluster is running (pid " + ClusterLock.holderPid(home) + "; data folder " + home + ")");
        for (QuarkusService s : QuarkusService.ALL) {
            System.out.printf("  %-20s %-24s %s%n", s.name(), s.url(), s.isReady() ? "ready" : "NOT READY");
        }
        return 0;
    }

    private static Path home() {
        String configured = System.getenv("SAMTYKKE_HOME");
        Path home = configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".samtykke")
                : Path.of(configured);
        return home.toAbsolutePath().normalize();
    }

    private static Duration startTimeout() {
        String configured = System.getenv("SAMTYKKE_START_TIMEOUT");
        return Duration.ofSeconds(configured == null || configured.isBlank() ? 120 : Long.parseLong(configured.trim()));
    }

    /** Names the ports that something else already listens on, so the user knows what to stop. */
    private static List<String> takenPorts() {
        Map<Integer, String> ports = new LinkedHashMap<>();
        ports.put(POSTGRES_PORT, "PostgreSQL");
        ports.put(KafkaNode.PORT, "Kafka");
        ports.put(KafkaNode.CONTROLLER_PORT, "Kafka controller");
        QuarkusService.ALL.forEach(s -> ports.put(s.port(), s.name()));
        List<String> taken = new ArrayList<>();
        ports.forEach((port, user) -> {
            // reuseAddress: connections of a cluster stopped a moment ago (TIME_WAIT) do not count as taken
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(port));
            } catch (IOException e) {
                taken.add("port " + port + " (for " + user + ") is taken by another process");
            }
        });
        return taken;
    }

    /** The repository holds the services' built jars; run.sh says where it is, else look upwards. */
    static Path repoRoot() throws URISyntaxException {
        String configured = System.getProperty("samtykke.repo.root");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path codeLocation = Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Path start : List.of(Path.of("").toAbsolutePath(), codeLocation)) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy/local"))) {
                    return dir;
                }
            }
        }
        throw new IllegalStateException("cannot find the samtykke repository; start the cluster with deploy/local/run.sh");
    }

    /** Moves the last run's logs to logs/previous/, so each log holds one run and the one before is kept. */
    private static Path freshLogFolder(Path home) throws IOException {
        Path logs = home.resolve("logs");
        Path previous = logs.resolve("previous");
        Files.createDirectories(previous);
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                Files.move(log, previous.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return logs;
    }

    /** A random 32-byte key, generated once per data folder: development only, never in the repository. */
    private static String developmentSecret(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
        }
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    /** An Ed25519 private key as PKCS#8 PEM, generated once per data folder: development only, never in the repository. */
    private static Path developmentSigningKey(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                byte[] der = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded();
                Files.createDirectories(file.getParent());
                Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                        + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this Java runtime has no Ed25519", e);
            }
        }
        return file;
    }

    /** The development keys sign tokens for any tenant and role: other local users need not read them. */
    private static void ownerOnly(Path folder) throws IOException {
        if (folder.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static void defaultTo(Map<String, String> env, String name, String value) {
        if (System.getenv(name) == null) {
            env.put(name, value);
        }
    }

    /** Kafka's JVM gets this JVM's classpath; made absolute because it runs in another folder. */
    private static String absoluteClasspath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String since(long startNanos) {
        return String.format(" (%.1f s)", (System.nanoTime() - startNanos) / 1e9);
    }

    private static String pad(String name) {
        return String.format("%-18s", name);
    }
}
