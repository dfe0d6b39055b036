package io.samtykke.system;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of preference-service on the same database and broker (one consumer group, one set of leader locks),
 * four clients writing, and one instance killed with SIGKILL mid-load. The survivor takes over the dead one's
 * partitions and jobs: every person's decision, asked of the survivor, rests on the last acknowledged change, and the
 * other {@link Invariants} hold.
 */
class PreferenceScaleOutTest {

    private static final String TENANT = "preference-scale-out";

    @Test
    void theSurvivingInstanceTakesOverAndNothingIsLostOrAppliedTwice() throws Exception {
        try (Cluster cluster = Cluster.start("preference_scale_out")) {
            cluster.startSecond("preference-service");
            Invariants.newsletter(cluster, TENANT);
            try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                Thread.sleep(3_000); // both instances share the load
                cluster.service("preference-service").kill();
                Thread.sleep(4_000); // the survivor alone
                int writes = load.stop();
                assertTrue(writes >= 40, "the clients kept writing: " + writes);
                Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds(), "preference-service#2");
                System.out.printf("preference scale-out: %d writes acknowledged by 4 clients, one of two preference-service instances"
                        + " killed mid-load; the survivor's decisions rest on every last change %.1f s after the load%n",
                        writes, caughtUp.toMillis() / 1000.0);
                FaultTable.row("two preference-service instances, one killed (kill -9) mid-load, under 4 writers", 1, writes, load.retries(),
                        null, caughtUp);
            }
        }
    }
}
