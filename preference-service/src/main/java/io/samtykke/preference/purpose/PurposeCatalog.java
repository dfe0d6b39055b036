package io.samtykke.preference.purpose;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.Channel;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.consentservice.ConsentServiceClient;
import io.samtykke.preference.json.JsonColumns;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * consent-service's purpose catalog as preference-service knows it: every consent event teaches channel,
 * category and legal basis at once (the projection writes them), and the catalog is read from consent-service
 * in the background (names, descriptions, purposes nobody decided on yet such as service messages) when a
 * tenant is first seen, when a decision names an unknown purpose, and every {@code catalog-refresh}.
 */
@ApplicationScoped
public class PurposeCatalog {

    private static final Duration RETRY_FAILED = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    Clock clock;

    @Inject
    JsonColumns json;

    @Inject
    PreferenceConfig config;

    @Inject
    ConsentServiceClient consentService;

    /** When each tenant was last asked for (attempts too, so a failing consent-service is not hammered). */
    private final Map<String, Instant> lastAttempt = new ConcurrentHashMap<>();
    private long timer = -1;

    void onStart(@Observes StartupEvent ev) {
        long every = Math.min(config.consentService().catalogRefresh().toMillis(), RETRY_FAILED.toMillis() * 3);
        timer = vertx.setPeriodic(every, id -> refreshStale());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    public Uni<Map<String, PurposeInfo>> all(String tenant) {
        return pool.preparedQuery("""
                        select key, channel, category, legal_basis, names::text, descriptions::text, active
                        from purpose where tenant_id = $1 order by key""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    Map<String, PurposeInfo> purposes = new LinkedHashMap<>();
                    rows.forEach(r -> purposes.put(r.getString("key"), info(r)));
                    return purposes;
                });
    }

    /** The purpose, or null when it is not known yet (a background read of the catalog is then asked for). */
    public Uni<PurposeInfo> find(String tenant, String key) {
        return pool.preparedQuery("""
                        select key, channel, category, legal_basis, names::text, descriptions::text, active
                        from purpose where tenant_id = $1 and key = $2""")
                .execute(Tuple.of(tenant, key))
                .map(rows -> {
                    if (rows.size() == 0) {
                        refreshSoon(tenant, true);
                        return null;
                    }
                    return info(rows.iterator().next());
                });
    }

    /**
     * Asks for a background read of the tenant's catalog unless one was attempted within {@code catalog-refresh}
     * ({@code eager}: within a few seconds, for a purpose a caller names that is not known).
     */
    public void refreshSoon(String tenant, boolean eager) {
        Instant now = clock.instant();
        Instant last = lastAttempt.get(tenant);
        Duration minimum = eager ? Duration.ofSeconds(5) : config.consentService().catalogRefresh();
        if (last != null && last.plus(minimum).isAfter(now)) {
            return;
        }
        lastAttempt.put(tenant, now);
        refresh(tenant).subscribe().with(n -> Log.debugf("read %d purposes of %s from consent-service", n, tenant), e -> {
            // try again soon, not only after a whole refresh interval (consent-service may just be starting)
            lastAttempt.put(tenant, now.minus(config.consentService().catalogRefresh()).plus(RETRY_FAILED));
            Log.warnf("could not read the purpose catalog of %s from consent-service (%s); trying again in %d s", tenant,
                    e.getMessage(), RETRY_FAILED.toSeconds());
        });
    }

    /** Reads the tenant's catalog from consent-service and stores it; answers how many purposes it holds. */
    public Uni<Integer> refresh(String tenant) {
        return consentService.purposes(tenant).flatMap(purposes -> {
            OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
            List<Tuple> rows = new ArrayList<>();
            for (JsonNode p : purposes) {
                rows.add(Tuple.from(List.of(tenant, p.path("key").asText(), p.path("channel").asText(),
                        p.path("category").asText(), p.path("legalBasis").asText(), texts(p.path("names")),
                        texts(p.path("descriptions")), p.path("active").asBoolean(true), now)));
            }
            Uni<Void> store = rows.isEmpty() ? Uni.createFrom().voidItem() : pool.preparedQuery("""
                            insert into purpose as p (tenant_id, key, channel, category, legal_basis, names, descriptions, active, updated_at)
                            values ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8, $9)
                            on conflict (tenant_id, key) do update set channel = excluded.channel, category = excluded.category,
                                legal_basis = excluded.legal_basis, names = excluded.names, descriptions = excluded.descriptions,
                                active = excluded.active, updated_at = greatest(p.updated_at, excluded.updated_at)""")
                    .executeBatch(rows).replaceWithVoid();
            return store.flatMap(v -> pool.preparedQuery("""
                                    insert into purpose_sync (tenant_id, synced_at) values ($1, $2)
                                    on conflict (tenant_id) do update set synced_at = excluded.synced_at""")
                            .execute(Tuple.of(tenant, now)))
                    .replaceWith(rows.size());
        });
    }

    private void refreshStale() {
        OffsetDateTime before = OffsetDateTime.now(clock).minus(config.consentService().catalogRefresh());
        pool.preparedQuery("""
                        select tenant_id from purpose_sync where synced_at < $1
                        union select distinct tenant_id from purpose where tenant_id not in (select tenant_id from purpose_sync)""")
                .execute(Tuple.of(before))
                .subscribe().with(rows -> rows.forEach(r -> refreshSoon(r.getString("tenant_id"), false)),
                        e -> Log.warnf("could not list stale purpose catalogs: %s", e.getMessage()));
    }

    private String texts(JsonNode node) {
        return node.isObject() ? node.toString() : "{}";
    }

    private PurposeInfo info(Row r) {
        return new PurposeInfo(r.getString("key"), Channel.valueOf(r.getString("channel")),
                PurposeCategory.valueOf(r.getString("category")), LegalBasis.valueOf(r.getString("legal_basis")),
                json.texts(r.getString("names")), json.texts(r.getString("descriptions")), r.getBoolean("active"));
    }
}
