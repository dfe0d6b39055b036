package io.samtykke.consent.maintenance;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Keeps storage flat as history grows: creates the coming months' partitions of consent_record,
 * and deletes outbox rows published longer ago than {@code samtykke.outbox.retention}. Hourly and at start.
 */
@ApplicationScoped
public class StorageMaintenance {

    @Inject
    Pool pool;

    @Inject
    ConsentConfig config;

    @Inject
    Vertx vertx;

    void onStart(@Observes StartupEvent ev) {
        run().subscribe().with(v -> { }, e -> Log.warnf("storage maintenance failed: %s", e.getMessage()));
        vertx.setPeriodic(Duration.ofHours(1).toMillis(), id -> run().subscribe().with(v -> { },
                e -> Log.warnf("storage maintenance failed: %s", e.getMessage())));
    }

    public Uni<Void> run() {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(config.outbox().retention());
        return pool.query("select ensure_consent_record_partitions(3)").execute()
                .flatMap(v -> pool.preparedQuery("delete from outbox where published_at < $1")
                        .execute(Tuple.of(cutoff)))
                .replaceWithVoid();
    }
}
