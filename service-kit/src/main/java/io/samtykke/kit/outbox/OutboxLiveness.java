package io.samtykke.kit.outbox;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The liveness answer (check {@code outbox}) each service gives for its relay: DOWN with the reason when
 * {@link OutboxRelay#stuck()} names one, the relay's {@link OutboxRelay#details()} as data either way.
 * Liveness, because a restart is what frees a hung relay, while writes keep being accepted into the outbox.
 */
public final class OutboxLiveness {

    private OutboxLiveness() {
    }

    /** @param relay the service's relay, or null when this instance does not run one */
    public static HealthCheckResponse of(OutboxRelay relay) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("outbox");
        if (relay == null) {
            return b.up().withData("relay", "disabled on this instance").build();
        }
        relay.details().forEach((k, v) -> b.withData(k, String.valueOf(v)));
        return relay.stuck().map(reason -> b.down().withData("reason", reason).build()).orElseGet(() -> b.up().build());
    }
}
