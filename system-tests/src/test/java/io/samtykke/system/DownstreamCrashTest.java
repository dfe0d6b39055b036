package io.samtykke.system;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumers of consent events killed with SIGKILL while four clients keep writing: audit-service twice, then
 * preference-service twice, each restarted on the same database. Afterwards the {@link Invariants} hold: every
 * acknowledged change is logged once, the export verifies, every decision rests on the last change.
 */
class DownstreamCrashTest {

    private static final String TENANT = "downstream-crash";

    @Test
    void killedConsumersLoseNothingAndApplyNothingTwiceOrOutOfOrder() throws Exception {
        try (Cluster cluster = Cluster.start("downstream_crash")) {
            Invariants.newsletter(cluster, TENANT);
            Map<String, Duration> readyAfter = new LinkedHashMap<>();
            int writes;
            try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                for (String victim : List.of("audit-service", "audit-service", "preference-service", "preference-service")) {
                    Thread.sleep(2_000); // the load runs on between kills
                    readyAfter.put(victim + " #" + (readyAfter.size() + 1), cluster.killAndRestart(victim));
                }
                Thread.sleep(2_000);
                writes = load.stop();
                assertTrue(writes >= 40, "the clients kept writing through the kills: " + writes);
                Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds());
                System.out.printf("downstream crashes: %d writes acknowledged by 4 clients during 4 kills, 0 lost, 0 twice, 0 out of "
                        + "order; caught up %.1f s after the load; launch to ready after each kill: %s%n",
                        writes, caughtUp.toMillis() / 1000.0, readyAfter);
                FaultTable.row("kill -9 of audit-service (x2) and preference-service (x2), restarted, under 4 writers", 4, writes,
                        load.retries(), readyAfter.values().stream().max(Duration::compareTo).orElseThrow(), caughtUp);
            }
        }
    }
}
