package io.samtykke.kit.db;

import io.samtykke.kit.leader.LeaderLock;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Connections of their own to the service's database, outside the pool: the outbox relay's LISTEN connection
 * and {@link LeaderLock}s need a session that lives as long as they do, so they cannot borrow from the pool.
 * Read from the same {@code quarkus.datasource.*} settings as the pool, so every service configures its
 * database once.
 */
@ApplicationScoped
public class DatabaseConnections {

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String databaseUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String databasePassword;

    /** How to open a connection of its own to the service's database. */
    public PgConnectOptions options() {
        return PgConnectOptions.fromUri(databaseUrl).setUser(databaseUser).setPassword(databasePassword);
    }

    /**
     * A {@link LeaderLock} (and its LISTEN connection) on the service's database.
     *
     * @param channel  the NOTIFY channel that wakes the job
     * @param lockId   the advisory lock id, distinct per job
     * @param onNotify run (on an event loop: must not block) for each notification
     */
    public LeaderLock leaderLock(String channel, long lockId, Runnable onNotify) {
        return new LeaderLock(vertx, options(), channel, lockId, onNotify);
    }
}
