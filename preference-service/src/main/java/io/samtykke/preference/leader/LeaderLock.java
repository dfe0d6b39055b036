package io.samtykke.preference.leader;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;

/**
 * "One instance at a time" for a background job: a PostgreSQL session advisory lock held on a dedicated
 * connection that also LISTENs for the job's wake-ups. If the process dies, its connection and with it the
 * lock go away, and a standby takes the job over at its next {@link #claim()}.
 */
public final class LeaderLock {

    private final Vertx vertx;
    private final PgConnectOptions options;
    private final String channel;
    private final long lockId;
    private final Runnable onNotify;
    private volatile PgConnection connection;
    private volatile boolean owner;

    LeaderLock(Vertx vertx, PgConnectOptions options, String channel, long lockId, Runnable onNotify) {
        this.vertx = vertx;
        this.options = options;
        this.channel = channel;
        this.lockId = lockId;
        this.onNotify = onNotify;
    }

    /** Connects (and LISTENs) if needed and takes the lock when nobody holds it; answers whether this instance holds it. */
    public Uni<Boolean> claim() {
        return connection().flatMap(conn -> owner ? Uni.createFrom().item(true)
                : conn.preparedQuery("select pg_try_advisory_lock($1) as locked").execute(Tuple.of(lockId))
                .map(rows -> owner = rows.iterator().next().getBoolean("locked")))
                .onFailure().invoke(e -> release());
    }

    public boolean owner() {
        return owner;
    }

    /** Closes the connection, which releases the lock. */
    public void release() {
        PgConnection c = connection;
        connection = null;
        owner = false;
        if (c != null) {
            c.closeAndForget();
        }
    }

    private Uni<PgConnection> connection() {
        PgConnection c = connection;
        if (c != null) {
            return Uni.createFrom().item(c);
        }
        return PgConnection.connect(vertx, options).flatMap(conn -> {
            conn.notificationHandler(n -> onNotify.run());
            conn.closeHandler(() -> {
                if (connection == conn) {
                    release();
                }
            });
            return conn.query("LISTEN " + channel).execute().map(r -> {
                connection = conn;
                return conn;
            });
        });
    }
}
