package io.samtykke.consent.maintenance;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.subject.SubjectRequestService;
import io.samtykke.kit.job.PeriodicJob;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Erases the people a tenant keeps only while they are active (Mileage Book: "FREE accounts are deleted after 12
 * months of inactivity"): for each tenant with {@code samtykke.retention.tenants."<tenant>".erase-inactive-after}, every
 * subject without consent activity for that long gets an ERASURE request opened and completed by the system, and so
 * the same erasure, events and notifications as one a DPO completes. Any number of instances may run it: each erasure
 * re-checks the inactivity under the subject's row lock, so a person is erased once, and not after they acted.
 */
@ApplicationScoped
public class InactivityRetention {

    @Inject
    ConsentConfig config;

    @Inject
    SubjectRequestService requests;

    @Inject
    Clock clock;

    @Inject
    Vertx vertx;

    private final PeriodicJob<Integer> job = new PeriodicJob<>("inactivity retention run", InactivityRetention.class, 0, this::eraseInactive);

    void onStart(@Observes StartupEvent ev) {
        if (config.retention().tenants().values().stream().noneMatch(t -> t.eraseInactiveAfter().isPresent())) {
            return;
        }
        job.every(vertx, config.retention().inactivityInterval(), job.logCount("erased %d inactive subjects"));
    }

    /** One round over every tenant with an inactivity period, unless one is under way; answers how many subjects were erased. */
    public Uni<Integer> run() {
        return job.run();
    }

    private Uni<Integer> eraseInactive() {
        Instant now = clock.instant();
        return Multi.createFrom().iterable(config.retention().tenants().entrySet())
                .filter(t -> t.getValue().eraseInactiveAfter().isPresent())
                .onItem().transformToUniAndConcatenate(t -> eraseInactive(t.getKey(), t.getValue().eraseInactiveAfter().get(), now))
                .collect().asList()
                .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    private Uni<Integer> eraseInactive(String tenant, Duration period, Instant now) {
        Instant before = now.minus(period);
        String reason = "no consent activity since before " + before + ": the tenant erases subjects inactive for " + period;
        return requests.inactiveSubjects(tenant, before, config.retention().inactivityBatch())
                .onItem().transformToMulti(subjects -> Multi.createFrom().iterable(subjects))
                .onItem().transformToUniAndConcatenate(subject -> requests.eraseInactive(tenant, subject, before, reason)
                        .onFailure().recoverWithItem(e -> {
                            Log.warnf("could not erase an inactive subject of %s: %s", tenant, e.getMessage());
                            return false;
                        }))
                .collect().asList()
                .map(done -> (int) done.stream().filter(Boolean::booleanValue).count());
    }
}
