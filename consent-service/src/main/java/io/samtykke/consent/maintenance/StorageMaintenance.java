package io.samtykke.consent.maintenance;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.job.PeriodicJob;
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

/**
 * Keeps storage flat as history grows, at start and hourly: creates the coming months' partitions of consent_record,
 * deletes outbox rows published longer ago than {@code samtykke.outbox.retention}, and deletes double opt-in tokens
 * used or expired longer ago than {@code samtykke.double-opt-in.token-retention}: a token row names a tenant, subject
 * and purpose, and once its link can no longer confirm it serves no purpose (GDPR Art. 5(1)(e)); the proof of a click
 * is the confirming consent record's own evidence, which keeps the token id. Every instance may run it: tokens are
 * deleted in batches by key, and a row another instance deleted first is simply not deleted again.
 */
@ApplicationScoped
public class StorageMaintenance {

    /** Tokens deleted per statement, so no delete holds locks on a large table for long. */
    static final int TOKEN_BATCH = 1_000;

    @Inject
    Pool pool;

    @Inject
    ConsentConfig config;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    /** What one run deleted. */
    public record Deleted(long outbox, long confirmationTokens) {
    }

    private final PeriodicJob<Deleted> job = new PeriodicJob<>("storage maintenance", StorageMaintenance.class,
            new Deleted(0, 0), this::maintain);

    void onStart(@Observes StartupEvent ev) {
        job.nowAndEvery(vertx, Duration.ofHours(1), deleted -> {
            if (deleted.outbox() + deleted.confirmationTokens() > 0) {
                Log.infof("storage maintenance deleted %d published outbox rows and %d used or expired confirmation tokens",
                        deleted.outbox(), deleted.confirmationTokens());
            }
        });
    }

    /** One run, unless one is under way (then nothing is deleted by this call); answers what it deleted. */
    public Uni<Deleted> run() {
        return job.run();
    }

    private Uni<Deleted> maintain() {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return pool.query("select ensure_consent_record_partitions(3)").execute()
                .flatMap(v -> pool.preparedQuery("delete from outbox where published_at < $1")
                        .execute(Tuple.of(now.minus(config.outbox().retention()))))
                .flatMap(outbox -> deleteTokens(now.minus(config.doubleOptIn().tokenRetention()))
                        .map(tokens -> new Deleted(outbox.rowCount(), tokens)));
    }

    /** Tokens used, or (never used) expired, before {@code before}: batch by batch until one deletes fewer than a batch. */
    private Uni<Long> deleteTokens(OffsetDateTime before) {
        return pool.preparedQuery("""
                        delete from confirmation_token where token_sha256 in (
                          select token_sha256 from confirmation_token where used_at < $1 or expires_at < $1 limit $2)""")
                .execute(Tuple.of(before, TOKEN_BATCH))
                .flatMap(rows -> rows.rowCount() < TOKEN_BATCH
                        ? Uni.createFrom().item((long) rows.rowCount())
                        : deleteTokens(before).map(rest -> rest + rows.rowCount()));
    }
}
