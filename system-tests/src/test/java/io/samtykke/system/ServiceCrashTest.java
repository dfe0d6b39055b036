package io.samtykke.system;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each service killed with SIGKILL in turn (consent-service, audit-service, preference-service), restarted on the same
 * database and port, while four clients keep writing; {@code samtykke.faults.rounds} rounds (2 by default, 20 in the
 * long mode); then each stopped cleanly (SIGTERM) and started again. Afterwards the {@link Invariants} hold: every acknowledged change is consent-service's state, logged
 * once, in the verified export, and what each decision rests on.
 */
class ServiceCrashTest {

    private static final String TENANT = "service-crash";
    private static final List<String> VICTIMS = List.of("consent-service", "audit-service", "preference-service");

    @Test
    void killedServicesLoseNothingAndApplyNothingTwiceOrOutOfOrder() throws Exception {
        int rounds = Integer.getInteger("samtykke.faults.rounds", 2);
        try (Cluster cluster = Cluster.start("service_crash")) {
            Invariants.newsletter(cluster, TENANT);
            Duration slowest = Duration.ZERO;
            try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                for (int round = 0; round < rounds; round++) {
                    for (String victim : VICTIMS) {
                        Thread.sleep(1_500); // the load runs on between kills
                        Duration ready = cluster.killAndRestart(victim);
                        slowest = ready.compareTo(slowest) > 0 ? ready : slowest;
                    }
                }
                for (String victim : VICTIMS) {
                    Thread.sleep(1_500);
                    Duration ready = cluster.stopAndRestart(victim);
                    slowest = ready.compareTo(slowest) > 0 ? ready : slowest;
                }
                Thread.sleep(2_000);
                int writes = load.stop();
                assertTrue(writes >= 40, "the clients kept writing through the kills: " + writes);
                Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds());
                System.out.printf("service crashes: %d writes acknowledged by 4 clients (%d attempts retried) during %d kills of each"
                        + " service and one clean stop of each, 0 lost, 0 twice, 0 out of order; caught up %.1f s after the load; slowest launch to ready %.1f s%n",
                        writes, load.retries(), rounds, caughtUp.toMillis() / 1000.0, slowest.toMillis() / 1000.0);
                FaultTable.row("kill -9 of consent-, audit- and preference-service in turn, " + rounds + " each, then a clean stop of each,"
                        + " restarted, under 4 writers", (rounds + 1) * VICTIMS.size(), writes, load.retries(), slowest, caughtUp);
            }
        }
    }
}
