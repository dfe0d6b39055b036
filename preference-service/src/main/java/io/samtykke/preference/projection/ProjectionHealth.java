package io.samtykke.preference.projection;

import io.samtykke.preference.projection.ConsentProjection.Phase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.time.Instant;

/**
 * Readiness of the consent projection, with its lag as detail. DOWN while it rebuilds from the state topic
 * (decisions would miss consents not read yet) and while it cannot apply events; a lag alone is reported, not
 * failed on, so a burst of consent changes does not take the decision API out of service.
 */
@Readiness
@ApplicationScoped
public class ProjectionHealth implements HealthCheck {

    @Inject
    ConsentProjection projection;

    @Inject
    ProjectionRecords records;

    @Override
    public HealthCheckResponse call() {
        Phase phase = projection.phase();
        boolean up = phase == Phase.STARTING || phase == Phase.FOLLOWING || phase == Phase.STOPPED;
        HealthCheckResponseBuilder response = HealthCheckResponse.named("consent projection").status(up)
                .withData("phase", phase.name())
                .withData("lagRecords", projection.lagRecords())
                .withData("rebuiltFromStateTopic", projection.rebuiltSnapshots());
        Instant last = records.lastAppliedAt();
        if (last != null) {
            response.withData("lastAppliedAt", last.toString());
        }
        if (projection.lastError() != null) {
            response.withData("lastError", projection.lastError());
        }
        long waiting = records.deadLetters().waiting();
        response.withData("deadLetters", waiting);
        if (waiting > 0) {
            // degraded, not DOWN: the projection goes on past them, and a restart would not help
            response.withData("degraded", "consent events were refused and wait in GET /v1/projection/dead-letters");
            if (records.deadLetters().latestReason() != null) {
                response.withData("latestDeadLetterReason", records.deadLetters().latestReason());
            }
        }
        return response.build();
    }
}
