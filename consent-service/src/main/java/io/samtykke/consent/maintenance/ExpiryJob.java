package io.samtykke.consent.maintenance;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentService;
import io.samtykke.contract.ConsentAction;
import io.samtykke.kit.job.PeriodicJob;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records an EXPIRE for every grant past its purpose's validity (e.g. analytics cookies after 13
 * months) and every double opt-in left unconfirmed past its link's expiry, so the expiry is an event like any
 * other and reaches the opt-out topic. Any instance may
 * run it: the subject lock in the write path makes a second expiry of the same grant an illegal
 * transition, which is skipped.
 */
@ApplicationScoped
public class ExpiryJob {

    private static final int BATCH = 200;

    @Inject
    Pool pool;

    @Inject
    ConsentService consents;

    @Inject
    ConsentConfig config;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    private final PeriodicJob<Integer> job = new PeriodicJob<>("expiry run", ExpiryJob.class, 0, this::expireDue);

    void onStart(@Observes StartupEvent ev) {
        job.every(vertx, config.consent().expiryInterval(), job.logCount("expired %d grants and pending consents"));
    }

    /** Expires what is due now, unless a run is under way; answers how many grants and pending consents were expired. */
    public Uni<Integer> run() {
        return job.run();
    }

    private Uni<Integer> expireDue() {
        return pool.preparedQuery("""
                        select tenant_id, subject_id, purpose_key from consent_current
                        where state in ('GRANTED', 'PENDING_CONFIRMATION') and expires_at is not null and expires_at <= $1
                        order by expires_at limit $2""")
                .execute(Tuple.of(OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), BATCH))
                .flatMap(rows -> {
                    Map<List<String>, List<Change>> bySubject = new LinkedHashMap<>();
                    for (Row r : rows) {
                        bySubject.computeIfAbsent(List.of(r.getString("tenant_id"), r.getString("subject_id")),
                                        k -> new ArrayList<>())
                                .add(new Change(r.getString("purpose_key"), ConsentAction.EXPIRE, null));
                    }
                    return Multi.createFrom().iterable(bySubject.entrySet())
                            .onItem().transformToUniAndConcatenate(e -> consents
                                    .writeAsSystem(e.getKey().get(0), e.getKey().get(1), e.getValue())
                                    .map(w -> w.body().records().size())
                                    .onFailure().recoverWithItem(err -> {
                                        Log.debugf("skipped expiry of %s: %s", e.getKey(), err.getMessage());
                                        return 0;
                                    }))
                            .collect().asList()
                            .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
                });
    }
}
