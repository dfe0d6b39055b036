package io.samtykke.audit.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.kit.deadletter.DeadLetterTable;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The log's dead letters: the service kit's table {@code dead_letter} (migration V4), counted in {@code samtykke_audit_dead_letters}. */
public class DeadLetters {

    @Produces
    @Singleton
    DeadLetterTable table(Pool pool, Clock clock, MeterRegistry metrics) {
        return new DeadLetterTable(pool, clock, "dead_letter", metrics, "samtykke.audit.dead.letters");
    }

    void onStart(@Observes StartupEvent ev, DeadLetterTable table) {
        table.countAtStart();
    }
}
