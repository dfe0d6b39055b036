package io.samtykke.preference.leader;

import io.samtykke.kit.leader.LeaderLock;
import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes the service kit's {@link LeaderLock}s (and LISTEN connections) on the service's own database. */
@ApplicationScoped
public class LeaderLocks {

    @Inject
    Vertx vertx;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String databaseUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String databasePassword;

    /**
     * @param channel  the NOTIFY channel that wakes the job
     * @param lockId   the advisory lock id, distinct per job
     * @param onNotify run (on an event loop: must not block) for each notification
     */
    public LeaderLock create(String channel, long lockId, Runnable onNotify) {
        return new LeaderLock(vertx, options(), channel, lockId, onNotify);
    }

    /** How to open a connection of its own to the service's database. */
    public PgConnectOptions options() {
        return PgConnectOptions.fromUri(databaseUrl).setUser(databaseUser).setPassword(databasePassword);
    }
}
