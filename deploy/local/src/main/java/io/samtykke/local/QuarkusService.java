package io.samtykke.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** One of the three services, run from its Quarkus fast-jar ({@code target/quarkus-app}) in a child JVM. */
record QuarkusService(String name, int port) {

    static final List<QuarkusService> ALL = List.of(
            new QuarkusService("consent-service", 8081),
            new QuarkusService("preference-service", 8082),
            new QuarkusService("audit-service", 8083));

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Each service owns the database named after it (consent, preference, audit). */
    String database() {
        return name.substring(0, name.indexOf('-'));
    }

    Path jar(Path repo) {
        return built(repo).resolve("quarkus-run.jar");
    }

    private Path built(Path repo) {
        return repo.resolve(name).resolve("target/quarkus-app");
    }

    /**
     * Runs a copy of the built app kept in {@code <home>/apps}: a rebuild of the repository while
     * the cluster runs (./mvnw verify in another terminal) replaces target/quarkus-app, and a JVM
     * running from there fails on its next lazily loaded class. Copying takes a fraction of a second.
     */
    ChildJvm start(Path repo, Path home, Path logs, Map<String, String> env) throws IOException {
        Path app = home.resolve("apps").resolve(name);
        copyTree(built(repo), app);
        return ChildJvm.start(name, logs, home, env, List.of("-Xmx256m", "-jar", app.resolve("quarkus-run.jar").toString()));
    }

    private static void copyTree(Path source, Path target) throws IOException {
        if (Files.exists(target)) {
            try (Stream<Path> old = Files.walk(target)) {
                for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** True when the readiness check (database, Kafka) answers 200. */
    boolean isReady() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean isBuilt(Path repo) {
        return Files.isRegularFile(jar(repo));
    }
}
