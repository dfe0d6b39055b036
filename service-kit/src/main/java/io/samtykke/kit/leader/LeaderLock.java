package io.samtykke.kit.leader;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;

/**
 * "One instance at a time" for a background job: a PostgreSQL session advisory lock held on a dedicated
 * connection that also LISTENs for the job's wake-ups. If the process dies, its connection and with it the
 * lock go away, and a standby takes the job over at its next {@link #claim()}.
 *
 * <p>Claims are single flight: a claim asked for while one is running gets that one's answer, so at most
 * one connection (and one lock session) exists per lock. Any doubt (the connection fails or closes, or the
 * lock is not where this instance believes it holds it) closes the connection, which releases the lock in
 * PostgreSQL, and the next claim starts over. What {@link #owner()} says is therefore never more than
 * what the database holds.
 */
public final class LeaderLock {

    private static final Logger LOG = Logger.getLogger(LeaderLock.class);

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final String channel;
    private final long lockId;
    private final Runnable onNotify;

    private PgConnection connection;   // guarded by this
    private boolean owner;             // guarded by this
    private long generation;           // guarded by this; bumped by release() so late answers of older claims are dropped
    private CompletableFuture<Boolean> inFlight; // guarded by this

    /**
     * @param channel  the NOTIFY channel that wakes the job
     * @param lockId   the advisory lock id, distinct per job
     * @param onNotify run (on an event loop: must not block) for each notification
     */
    public LeaderLock(Vertx vertx, PgConnectOptions options, String channel, long lockId, Runnable onNotify) {
        if (!channel.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("channel must be a plain SQL identifier");
        }
        this.vertx = vertx;
        this.options = new PgConnectOptions(options).addProperty("application_name", "leader-" + channel);
        this.channel = channel;
        this.lockId = lockId;
        this.onNotify = onNotify;
    }

    /** Connects (and LISTENs) if needed and takes the lock when nobody holds it; answers whether this instance holds it. */
    public Uni<Boolean> claim() {
        CompletableFuture<Boolean> mine;
        long gen;
        PgConnection conn;
        boolean believed;
        synchronized (this) {
            if (inFlight != null) {
                CompletableFuture<Boolean> running = inFlight;
                return Uni.createFrom().completionStage(running);
            }
            mine = new CompletableFuture<>();
            inFlight = mine;
            gen = generation;
            conn = connection;
            believed = owner;
        }
        Uni<Boolean> attempt = conn == null ? connectAndLock(gen) : (believed ? stillHeld(conn) : tryLock(conn));
        attempt.subscribe().with(held -> finish(mine, gen, held, null), e -> finish(mine, gen, false, e));
        return Uni.createFrom().completionStage(mine);
    }

    public synchronized boolean owner() {
        return owner;
    }

    /** Closes the connection, which releases the lock. */
    public void release() {
        PgConnection c;
        synchronized (this) {
            c = connection;
            connection = null;
            owner = false;
            generation++;
        }
        if (c != null) {
            c.closeAndForget();
        }
    }

    private void finish(CompletableFuture<Boolean> mine, long gen, boolean held, Throwable error) {
        boolean doubt;
        synchronized (this) {
            inFlight = null;
            doubt = gen != generation ? false : error != null || (owner && !held);
            if (gen == generation && !doubt) {
                owner = held;
            }
        }
        if (doubt) {
            if (error == null) {
                LOG.warnf("advisory lock %d is no longer held by this instance's session; starting over", lockId);
            }
            release();
        }
        if (error != null) {
            mine.completeExceptionally(error);
        } else {
            mine.complete(held && !doubt && owner());
        }
    }

    private Uni<Boolean> connectAndLock(long gen) {
        return PgConnection.connect(vertx, options).flatMap(conn -> {
            synchronized (this) {
                if (gen != generation) { // released while connecting: this connection must not live on
                    conn.closeAndForget();
                    return Uni.createFrom().item(false);
                }
                connection = conn;
            }
            conn.notificationHandler(n -> onNotify.run());
            conn.closeHandler(() -> {
                boolean mineClosed;
                synchronized (this) {
                    mineClosed = connection == conn;
                }
                if (mineClosed) {
                    release();
                }
            });
            return conn.query("LISTEN " + channel).execute().flatMap(r -> tryLock(conn));
        });
    }

    private Uni<Boolean> tryLock(PgConnection conn) {
        return conn.preparedQuery("select pg_try_advisory_lock($1) as locked").execute(Tuple.of(lockId))
                .map(rows -> rows.iterator().next().getBoolean("locked"));
    }

    /** Asks PostgreSQL whether this session still holds the lock (never taking it a second time). */
    private Uni<Boolean> stillHeld(PgConnection conn) {
        return conn.preparedQuery("""
                        select count(*) > 0 as held from pg_locks
                        where locktype = 'advisory' and granted and pid = pg_backend_pid() and objsubid = 1
                          and classid = ($1::bigint >> 32)::oid and objid = ($1::bigint & 4294967295)::oid""")
                .execute(Tuple.of(lockId))
                .map(rows -> rows.iterator().next().getBoolean("held"));
    }
}
