package io.samtykke.preference.leader;

import io.vertx.mutiny.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Makes {@link LeaderLock}s on the service's own database. */
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
        PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl).setUser(databaseUser).setPassword(databasePassword);
        return new LeaderLock(vertx, options, channel, lockId, onNotify);
    }
}
