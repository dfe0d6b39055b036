package io.samtykke.consent.security;

import io.samtykke.consent.config.ConsentConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per tenant and client (the token's {@code sub}), so one misbehaving integration
 * cannot starve the others. Per instance: with N instances the effective limit is N times higher.
 */
@ApplicationScoped
public class RateLimiter {

    @Inject
    ConsentConfig config;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Takes one request from the caller's bucket; answers 0 when allowed, else seconds until it would be. */
    public long acquire(Caller caller) {
        ConsentConfig.RateLimit.Limit limit = config.rateLimit().tenants().getOrDefault(caller.tenant(),
                config.rateLimit().defaults());
        Bucket b = buckets.computeIfAbsent(caller.tenant() + "/" + caller.subject(),
                k -> new Bucket(limit.burst(), System.nanoTime()));
        return b.take(limit.requestsPerSecond(), limit.burst(), System.nanoTime());
    }

    static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized long take(double perSecond, int burst, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
        }
    }
}
