package io.samtykke.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started by the launcher (the Kafka broker or a service), its output appended to
 * {@code <home>/logs/NAME.log}. Stopped with SIGTERM first so Kafka and Quarkus shut down
 * cleanly; killed only if that takes longer than the grace period.
 */
final class ChildJvm {

    /** The launcher's own settings; kept from the children, whose config owns the SAMTYKKE_ prefix. */
    private static final Set<String> LAUNCHER_SETTINGS = Set.of("SAMTYKKE_HOME", "SAMTYKKE_SKIP_BUILD", "SAMTYKKE_START_TIMEOUT");

    private final String name;
    private final Path log;
    private final Process process;

    private ChildJvm(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static ChildJvm start(String name, Path logs, Path workDir, Map<String, String> env, List<String> javaArgs) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(javaArgs);
        Path log = logs.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeAll(LAUNCHER_SETTINGS);
        builder.environment().putAll(env);
        try {
            return new ChildJvm(name, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Waits for a process that is meant to end by itself (the storage format tool). */
    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException(name + " did not finish within " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /** Sends SIGTERM; pair with {@link #awaitStop} so several children can stop at once. */
    void requestStop() {
        process.destroy();
    }

    void awaitStop(Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                System.out.println("  " + name + " did not stop within " + grace.toSeconds() + " s; killing it");
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of this process's log, to show why it failed. */
    List<String> logTail(int lines) {
        try {
            // decoding leniently: a log cut mid-character must still be shown
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            List<String> all = Arrays.asList(text.split("\\R"));
            return all.subList(Math.max(0, all.size() - lines), all.size());
        } catch (IOException e) {
            return List.of("(could not read " + log + ": " + e.getMessage() + ")");
        }
    }

    Path log() {
        return log;
    }
}
