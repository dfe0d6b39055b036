package io.samtykke.preference.maintenance;

import io.quarkus.logging.Log;
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

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Locale;
import java.util.List;
import java.util.ArrayList;

/**
 * Keeps the service's tables from growing without end, at start and hourly: deletes published outbox rows, reported
 * sends and acknowledged webhook deliveries (with their attempts) older than their retention settings. Pending and
 * dead-lettered deliveries stay. Also forgets webhook secrets replaced by a rotation once their overlap has ended.
 * A tenant's own retention ({@code samtykke.retention.tenants.*}, what its privacy policy promises) replaces the
 * default for its sends per channel and for its delivery ledger, shorter or longer. Every instance may run it: each
 * statement deletes a batch of rows by id, and a row another instance deleted first is simply not deleted again.
 */
@ApplicationScoped
public class StorageMaintenance {

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
            Log.warnf("samtykke.sends.retention=%s is shorter than the longest frequency-cap window; %s is used",
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
                Log.infof("storage maintenance deleted %d outbox rows, %d sends, %d webhook deliveries, %d expired webhook secrets",
                        deleted.outbox(), deleted.sends(), deleted.deliveries(), deleted.secrets());
            }
        }, e -> Log.warnf("storage maintenance failed: %s", e.getMessage()));
    }

    /** What one run deleted. */
    public record Deleted(long outbox, long sends, long deliveries, long secrets) {
        long total() {
            return outbox + sends + deliveries + secrets;
        }
    }

    public Uni<Deleted> run() {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        Map<String, PreferenceConfig.Retention.Tenant> tenants = config.retention().tenants();
        return deleteAll("""
                        delete from outbox where id in (
                          select id from outbox where published_at < $1 limit %d)""", Tuple.of(now.minus(config.outbox().retention())))
                .flatMap(outbox -> deleteSends(now, tenants)
                        .flatMap(sends -> deleteDeliveries(now, tenants)
                                .flatMap(deliveries -> pool.preparedQuery("""
                                                update webhook_subscription set previous_secret = null
                                                where previous_secret is not null and previous_secret_valid_until <= $1""")
                                        .execute(Tuple.of(now))
                                        .map(secrets -> new Deleted(outbox, sends, deliveries, secrets.rowCount())))));
    }

    /** Sends past the default retention, except for a tenant's channels with their own; then each of those. */
    private Uni<Long> deleteSends(OffsetDateTime now, Map<String, PreferenceConfig.Retention.Tenant> tenants) {
        List<String> ownTenants = new ArrayList<>();
        List<String> ownChannels = new ArrayList<>();
        List<Duration> ownRetention = new ArrayList<>();
        tenants.forEach((tenant, r) -> r.sends().forEach((channel, retention) -> {
            ownTenants.add(tenant);
            ownChannels.add(channel.toUpperCase(Locale.ROOT));
            ownRetention.add(atLeastLongestCap(retention));
        }));
        Uni<Long> deleted = deleteAll("""
                delete from send where id in (
                  select id from send s where sent_at < $1
                    and not exists (select 1 from unnest($2::text[], $3::text[]) as own(tenant, channel)
                                    where own.tenant = s.tenant_id and own.channel = s.channel)
                  limit %d)""", Tuple.of(now.minus(sendRetention()), ownTenants.toArray(String[]::new),
                ownChannels.toArray(String[]::new)));
        for (int i = 0; i < ownTenants.size(); i++) {
            Tuple args = Tuple.of(ownTenants.get(i), ownChannels.get(i), now.minus(ownRetention.get(i)));
            deleted = deleted.flatMap(n -> deleteAll("""
                    delete from send where id in (
                      select id from send where tenant_id = $1 and channel = $2 and sent_at < $3 limit %d)""", args)
                    .map(m -> n + m));
        }
        return deleted;
    }

    /** Acknowledged deliveries past the ledger retention, a tenant's own where it has one. */
    private Uni<Long> deleteDeliveries(OffsetDateTime now, Map<String, PreferenceConfig.Retention.Tenant> tenants) {
        List<String> own = tenants.entrySet().stream().filter(e -> e.getValue().webhookDeliveries().isPresent())
                .map(Map.Entry::getKey).sorted().toList();
        Uni<Long> deleted = deleteAll("""
                delete from webhook_delivery where id in (
                  select id from webhook_delivery where status = 'DELIVERED' and acknowledged_at < $1
                    and not (tenant_id = any($2::text[])) limit %d)""",
                Tuple.of(now.minus(config.webhooks().ledgerRetention()), own.toArray(String[]::new)));
        for (String tenant : own) {
            Tuple args = Tuple.of(tenant, now.minus(tenants.get(tenant).webhookDeliveries().orElseThrow()));
            deleted = deleted.flatMap(n -> deleteAll("""
                    delete from webhook_delivery where id in (
                      select id from webhook_delivery where tenant_id = $1 and status = 'DELIVERED' and acknowledged_at < $2
                      limit %d)""", args).map(m -> n + m));
        }
        return deleted;
    }

    /** The configured send retention, raised to the longest frequency-cap window. */
    Duration sendRetention() {
        return atLeastLongestCap(config.sends().retention());
    }

    /** {@code retention}, raised to the longest frequency-cap window so caps keep counting right. */
    static Duration atLeastLongestCap(Duration retention) {
        Duration longestWindow = Arrays.stream(FrequencyCap.Period.values()).map(FrequencyCap.Period::window)
                .max(Comparator.naturalOrder()).orElseThrow();
        return retention.compareTo(longestWindow) < 0 ? longestWindow : retention;
    }

    /** Runs a batched delete until a batch deletes fewer than {@link #BATCH} rows; the number deleted in all. */
    private Uni<Long> deleteAll(String sql, Tuple args) {
        String statement = sql.formatted(BATCH);
        return pool.preparedQuery(statement).execute(args)
                .flatMap(rows -> rows.rowCount() < BATCH
                        ? Uni.createFrom().item((long) rows.rowCount())
                        : deleteAll(sql, args).map(rest -> rest + rows.rowCount()));
    }
}
