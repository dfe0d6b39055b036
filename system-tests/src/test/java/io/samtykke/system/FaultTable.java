package io.samtykke.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The fault scenarios' results, one row each, in {@code target/fault-table.md}: what system-tests/README.md shows.
 * A row is written only after the scenario's invariants held, so lost, doubled and reordered are zero by then.
 */
final class FaultTable {

    private static final Path FILE = Path.of("target", "fault-table.md");

    private FaultTable() {
    }

    /** {@code slowestReady} null: no service was restarted. */
    static synchronized void row(String scenario, int faults, int writes, int retried, Duration slowestReady, Duration caughtUp) {
        try {
            if (!Files.exists(FILE)) {
                Files.createDirectories(FILE.getParent());
                Files.writeString(FILE, "| scenario | faults | writes acknowledged | attempts retried | lost | duplicated | reordered"
                        + " | slowest ready after a fault (s) | caught up after the load (s) |\n|---|---|---|---|---|---|---|---|---|\n");
            }
            String ready = slowestReady == null ? "—" : String.format("%.1f", slowestReady.toMillis() / 1000.0);
            Files.writeString(FILE, String.format("| %s | %d | %d | %d | 0 | 0 | 0 | %s | %.1f |%n", scenario, faults, writes, retried,
                    ready, caughtUp.toMillis() / 1000.0), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
