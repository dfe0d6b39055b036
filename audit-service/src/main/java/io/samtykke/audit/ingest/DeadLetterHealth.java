package io.samtykke.audit.ingest;

import io.samtykke.kit.deadletter.DeadLetterTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports records waiting as dead letters: UP (ingestion goes on past them, a restart would not help),
 * with their number and the latest reason as a degraded detail; the alert rule fires on the metric.
 */
@Readiness
@ApplicationScoped
public class DeadLetterHealth implements HealthCheck {

    @Inject
    DeadLetterTable table;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("dead-letters").up().withData("waiting", table.waiting());
        if (table.waiting() > 0) {
            b.withData("status", "degraded: records were refused and wait in GET /v1/dead-letters");
            if (table.latestReason() != null) {
                b.withData("latestReason", table.latestReason());
            }
        }
        return b.build();
    }
}
