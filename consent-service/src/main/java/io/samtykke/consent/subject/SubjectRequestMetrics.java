package io.samtykke.consent.subject;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.job.PeriodicJob;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Open data subject requests per tenant that are due within {@value #DUE_SOON_DAYS} days
 * ({@code samtykke_subject_requests_due_soon}) and past their due date ({@code samtykke_subject_requests_overdue}),
 * counted from the database every {@code samtykke.consent.request-metrics-interval} by every instance (each reports
 * the same counts; alert on the max). Every tenant with a catalog has both series, at 0 when nothing is due, so an
 * alert rule always has a series to read.
 */
@ApplicationScoped
public class SubjectRequestMetrics {

    static final int DUE_SOON_DAYS = 7;

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    @Inject
    ConsentConfig config;

    @Inject
    MeterRegistry metrics;

    private final PeriodicJob<Void> job = new PeriodicJob<>("counting data subject requests", SubjectRequestMetrics.class, null, this::count);
    private MultiGauge dueSoon;
    private MultiGauge overdue;

    void onStart(@Observes StartupEvent ev) {
        dueSoon = MultiGauge.builder("samtykke.subject.requests.due.soon")
                .description("Open data subject requests due within " + DUE_SOON_DAYS + " days, per tenant")
                .register(metrics);
        overdue = MultiGauge.builder("samtykke.subject.requests.overdue")
                .description("Open data subject requests past their due date (GDPR Art. 12(3)), per tenant")
                .register(metrics);
        job.nowAndEvery(vertx, config.consent().requestMetricsInterval(), v -> { });
    }

    /** Counts again; a round still running is not overtaken. */
    public Uni<Void> refresh() {
        return job.run();
    }

    private Uni<Void> count() {
        Instant now = clock.instant();
        return pool.preparedQuery("""
                        select t.tenant_id,
                               count(r.id) filter (where r.due_at >= $1 and r.due_at <= $2) as due_soon,
                               count(r.id) filter (where r.due_at < $1) as overdue
                        from (select tenant_id from purpose union select tenant_id from subject_request) t
                        left join subject_request r on r.tenant_id = t.tenant_id and r.status not in ('COMPLETED', 'REJECTED')
                        group by t.tenant_id""")
                .execute(Tuple.of(SubjectStore.utc(now), SubjectStore.utc(now.plus(Duration.ofDays(DUE_SOON_DAYS)))))
                .map(rows -> {
                    List<MultiGauge.Row<?>> soon = new ArrayList<>();
                    List<MultiGauge.Row<?>> late = new ArrayList<>();
                    for (Row r : rows) {
                        Tags tenant = Tags.of("tenant", r.getString("tenant_id"));
                        soon.add(MultiGauge.Row.of(tenant, r.getLong("due_soon")));
                        late.add(MultiGauge.Row.of(tenant, r.getLong("overdue")));
                    }
                    dueSoon.register(soon, true);
                    overdue.register(late, true);
                    return null;
                })
                .replaceWithVoid();
    }
}
