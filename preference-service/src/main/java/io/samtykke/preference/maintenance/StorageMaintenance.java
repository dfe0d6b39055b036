package io.samtykke.preference.maintenance;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.preference.config.PreferenceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Keeps the service's tables from growing without end, at start and hourly: deletes published outbox rows, reported
 * sends and acknowledged webhook deliveries (with their attempts) older than their retention settings. Pending and
 * dead-lettered deliveries stay. Also forgets webhook secrets replaced by a rotation once their overlap has ended.
 * Every instance may run it; deleting what another instance deleted is harmless.
 */
@ApplicationScoped
public class StorageMaintenance {

    private static final Logger LOG = Logger.getLogger(StorageMaintenance.class);

    /** Rows deleted per statement, so no delete holds locks on a large table for long. */
    static final int BATCH = 5_000;

    @Inject
    Pool pool;

    @Inject
    PreferenceConfig config;

    @Inject
    Vertx vertx;

    @Inject
    Clock clock;

    private long timer = -1;

    void onStart(@Observes StartupEvent ev) {
        if (sendRetention().compareTo(config.sends().retention()) > 0) {
            LOG.warnf("samtykke.sends.retention=%s is shorter than the longest frequency-cap window; %s is used",
                    config.sends().retention(), sendRetention());
        }
        runLogged();
        timer = vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> runLogged());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void runLogged() {
        run().subscribe().with(deleted -> {
            if (deleted.total() > 0) {
                LOG.infof("storage maintenance deleted %d outbox rows, %d sends, %d webhook deliveries, %d expired webhook secrets",
                        deleted.outbox(), deleted.sends(), deleted.deliveries(), deleted.secrets());
            }
        }, e -> LOG.warnf("storage maintenance failed: %s", e.getMessage()));
    }

    /** What one run deleted. */
    public record Deleted(long outbox, long sends, long deliveries, long secrets) {
        long total() {
            return outbox + sends + deliveries + secrets;
        }
    }

    public Uni<Deleted> run() {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return deleteAll("""
                        delete from outbox where id in (
                          select id from outbox where published_at < $1 limit %d)""", now.minus(config.outbox().retention()))
                .flatMap(outbox -> deleteAll("""
                                delete from send where id in (
                                  select id from send where sent_at < $1 limit %d)""", now.minus(sendRetention()))
                        .flatMap(sends -> deleteAll("""
                                        delete from webhook_delivery where id in (
                                          select id from webhook_delivery where status = 'DELIVERED' and acknowledged_at < $1 limit %d)""",
                                now.minus(config.webhooks().ledgerRetention()))
                                .flatMap(deliveries -> pool.preparedQuery("""
                                                update webhook_subscription set previous_secret = null
                                                where previous_secret is not null and previous_secret_valid_until <= $1""")
                                        .execute(Tuple.of(now))
                                        .map(secrets -> new Deleted(outbox, sends, deliveries, secrets.rowCount())))));
    }

    /** The configured send retention, raised to the longest frequency-cap window. */
    Duration sendRetention() {
        Duration longestWindow = Arrays.stream(FrequencyCap.Period.values()).map(FrequencyCap.Period::window)
                .max(Comparator.naturalOrder()).orElseThrow();
        Duration configured = config.sends().retention();
        return configured.compareTo(longestWindow) < 0 ? longestWindow : configured;
    }

    /** Runs a batched delete until a batch deletes fewer than {@link #BATCH} rows; the number deleted in all. */
    private Uni<Long> deleteAll(String sql, OffsetDateTime cutoff) {
        String statement = sql.formatted(BATCH);
        return pool.preparedQuery(statement).execute(Tuple.of(cutoff))
                .flatMap(rows -> rows.rowCount() < BATCH
                        ? Uni.createFrom().item((long) rows.rowCount())
                        : deleteAll(sql, cutoff).map(rest -> rest + rows.rowCount()));
    }
}
