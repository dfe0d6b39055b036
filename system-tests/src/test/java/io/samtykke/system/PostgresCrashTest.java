package io.samtykke.system;

import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL (fsync on, its own data folder) killed with SIGKILL, all its processes at once, while four clients keep
 * writing, then started again on the same folder and port; {@code samtykke.faults.rounds} times (2 by default). The clients retry each change with its Idempotency-Key
 * until it is acknowledged. Every service must be ready again within 10 s of PostgreSQL being back, and afterwards
 * the {@link Invariants} hold: no acknowledged change lost (it was committed before the answer), none twice, none out
 * of order, in consent-service, the audit log and the decisions.
 */
class PostgresCrashTest {

    private static final String TENANT = "postgres-crash";

    @Test
    void aCrashedDatabaseLosesNoAcknowledgedChange() throws Exception {
        Path data = Files.createTempDirectory("pg-crash");
        PostgresServer pg = PostgresServer.persistent(data, ServiceProcess.freePort());
        try (Cluster cluster = Cluster.start("pg_crash", pg)) {
            Invariants.newsletter(cluster, TENANT);
            Map<String, Duration> readyAfter = new LinkedHashMap<>();
            int writes;
            int retries;
            try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                int crashes = Integer.getInteger("samtykke.faults.rounds", 2);
                for (int crash = 1; crash <= crashes; crash++) {
                    Thread.sleep(3_000); // the load runs on before each crash
                    pg = pg.crashAndRestart();
                    Instant back = Instant.now();
                    for (String service : List.of("consent-service", "preference-service", "audit-service")) {
                        cluster.awaitReady(service, Duration.ofSeconds(10));
                        readyAfter.merge(service, Duration.between(back, Instant.now()), (a, b) -> a.compareTo(b) > 0 ? a : b);
                    }
                }
                Thread.sleep(3_000);
                writes = load.stop();
                retries = load.retries();
                assertTrue(writes >= 40, "the clients kept writing: " + writes);
                Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds());
                System.out.printf("postgres crashes: %d writes acknowledged by 4 clients (%d attempts retried) through %d kill -9 of"
                        + " PostgreSQL, 0 lost, 0 twice, 0 out of order; caught up %.1f s after the load; slowest ready after"
                        + " PostgreSQL was back: %s%n", writes, retries, crashes, caughtUp.toMillis() / 1000.0, readyAfter);
                FaultTable.row("kill -9 of PostgreSQL (all processes, fsync on) x" + crashes + ", restarted on its data folder, under 4 writers",
                        crashes,
                        writes, retries, readyAfter.values().stream().max(Duration::compareTo).orElseThrow(), caughtUp);
            }
        } finally {
            pg.close();
        }
    }
}
