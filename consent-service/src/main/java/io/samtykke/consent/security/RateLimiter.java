package io.samtykke.consent.security;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.ratelimit.RateLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * A token bucket per tenant and client (the token's {@code sub}), so one misbehaving integration cannot starve the
 * others: the service kit's {@link RateLimits}, which forgets clients idle for 10 minutes (subject tokens make one
 * client per person). Per instance: with N instances the effective limit is N times higher.
 */
@ApplicationScoped
public class RateLimiter {

    @Inject
    ConsentConfig config;

    private final RateLimits limits = new RateLimits(Duration.ofMinutes(10), 1_000_000);

    /** Takes one request from the caller's bucket; answers 0 when allowed, else seconds until it would be. */
    public long acquire(Caller caller) {
        ConsentConfig.RateLimit.Limit limit = config.rateLimit().tenants().getOrDefault(caller.tenant(),
                config.rateLimit().defaults());
        return limits.acquire(caller.tenant() + "/" + caller.subject(), new RateLimits.Limit(limit.requestsPerSecond(), limit.burst()));
    }
}
