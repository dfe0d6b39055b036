package io.samtykke.consent.confirmation;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.ratelimit.PublicPaths;
import io.samtykke.kit.ratelimit.RateLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The public confirmation links ({@code /v1/confirmations/…}) take no token: limited per client address to
 * {@code samtykke.double-opt-in.requests-per-second}/{@code burst} (429 with Retry-After, by the kit's
 * {@code AddressRateLimitFilter}).
 */
@ApplicationScoped
public class ConfirmationLinks implements PublicPaths {

    @Inject
    ConsentConfig config;

    @Override
    public RateLimits.Limit limitFor(String path) {
        if (!path.startsWith("/v1/confirmations/")) {
            return null;
        }
        ConsentConfig.DoubleOptIn settings = config.doubleOptIn();
        return new RateLimits.Limit(settings.requestsPerSecond(), settings.burst());
    }
}
