package io.samtykke.kit.leader;

import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.PostgresServer;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leader election on a real PostgreSQL: what an instance believes is never more than what the database holds. */
class LeaderLockTest {

    private static final String DATABASE = "service_kit";
    private static final Database DB = Database.of(DATABASE);
    private static PostgresServer pg;

    private final Vertx vertx = Vertx.vertx();
    private final List<LeaderLock> locks = new ArrayList<>();
    private final long lockId = 0x6C65_0000_0000L + ThreadLocalRandom.current().nextInt(1 << 20);
    private final String channel = "leader_" + Long.toHexString(lockId);

    @BeforeAll
    static void database() {
        pg = PostgresServer.shared();
        pg.ensureDatabase(DATABASE);
    }

    @AfterEach
    void tearDown() {
        locks.forEach(LeaderLock::release);
        vertx.closeAndAwait();
    }

    @Test
    void manyClaimsAtOnceFromAFreshStartOpenOneSessionThatHoldsTheLock() throws Exception {
        LeaderLock lock = lock();
        List<Uni<Boolean>> claims = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            claims.add(lock.claim());
        }
        List<Boolean> answers = new ArrayList<>();
        for (Uni<Boolean> claim : claims) {
            answers.add(claim.await().atMost(Duration.ofSeconds(10)));
        }
        assertTrue(answers.stream().allMatch(b -> b), "every overlapping claim gets the one answer: " + answers);
        try (Connection c = DB.connect()) {
            assertEquals(1, holders(c), "one session holds the lock");
            assertEquals(1, Database.count(c, "select count(*) from pg_stat_activity where application_name = 'leader-" + channel + "'"),
                    "one connection was opened, not one per claim");
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(lock.claim().await().atMost(Duration.ofSeconds(10)), "a holder stays holder");
        }
    }

    @Test
    void ofTwoInstancesOneLeadsAndWhenItsSessionDiesTheOtherTakesOverAndTheFirstKnows() throws Exception {
        LeaderLock a = lock();
        LeaderLock b = lock();
        assertTrue(a.claim().await().atMost(Duration.ofSeconds(10)));
        assertFalse(b.claim().await().atMost(Duration.ofSeconds(10)));
        assertTrue(a.owner());
        assertFalse(b.owner());
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            // a's session ends from outside (a network cut, an operator, a failover)
            s.execute("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted"
                    + " and ((classid::bigint << 32) | objid::bigint) = " + lockId);
        }
        await("b takes over").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> b.claim().await().atMost(Duration.ofSeconds(10)));
        // a no longer believes it leads: at the latest its next claim finds out and answers false
        boolean aClaims = a.claim().onFailure().recoverWithItem(false).await().atMost(Duration.ofSeconds(10));
        assertFalse(aClaims && a.owner(), "a must not lead while b does");
        assertFalse(a.claim().onFailure().recoverWithItem(false).await().atMost(Duration.ofSeconds(10)));
        try (Connection c = DB.connect()) {
            assertEquals(1, holders(c));
        }
    }

    @Test
    void releaseDuringAClaimLeavesNoSessionBehind() throws Exception {
        LeaderLock lock = lock();
        Uni<Boolean> claim = lock.claim();
        lock.release();
        claim.onFailure().recoverWithItem(false).await().atMost(Duration.ofSeconds(10));
        try (Connection c = DB.connect()) {
            // whatever of the claim is still in flight: for 300 ms, never an owner, never a session holding the lock
            await("a claim overtaken by release keeps no lock").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1))
                    .pollInSameThread()
                    .failFast("a claim overtaken by release must not keep the lock", () -> lock.owner() || holders(c) != 0)
                    .until(() -> true);
        }
    }

    private LeaderLock lock() {
        PgConnectOptions options = PgConnectOptions.fromUri(pg.reactiveUrl(DATABASE)).setUser(pg.user()).setPassword(pg.password());
        LeaderLock lock = new LeaderLock(vertx, options, channel, lockId, () -> { });
        locks.add(lock);
        return lock;
    }

    private long holders(Connection c) throws SQLException {
        return Database.count(c, "select count(*) from pg_locks where locktype = 'advisory' and granted"
                + " and ((classid::bigint << 32) | objid::bigint) = " + lockId);
    }

}
