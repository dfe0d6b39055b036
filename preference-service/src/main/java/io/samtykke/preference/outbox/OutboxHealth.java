package io.samtykke.preference.outbox;

import io.samtykke.kit.outbox.OutboxLiveness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** DOWN when the outbox is stuck (see {@link OutboxLiveness}). */
@Liveness
@ApplicationScoped
public class OutboxHealth implements HealthCheck {

    @Inject
    PreferenceOutboxRelay relay;

    @Override
    public HealthCheckResponse call() {
        return OutboxLiveness.of(relay.enabled() ? relay.relay() : null);
    }
}
