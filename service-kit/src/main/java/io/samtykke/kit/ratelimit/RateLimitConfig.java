package io.samtykke.kit.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;

/** {@code samtykke.rate-limit.*}: the request rate each tenant's client (the token's {@code sub}) may use. */
@ConfigMapping(prefix = "samtykke.rate-limit")
public interface RateLimitConfig {

    /** The limit of every tenant's clients unless the tenant has its own. */
    Limit defaults();

    /** Per-tenant limits, e.g. {@code samtykke.rate-limit.tenants."big-shop".requests-per-second=2000}. */
    Map<String, Limit> tenants();

    /**
     * How many instances of the service share the limit. Each instance keeps its own buckets and enforces
     * 1/instances of the rate and of the burst, so behind a load balancer that spreads a client's requests evenly
     * the client gets the configured limit in all (set it to the replica count).
     */
    @WithDefault("1")
    int instances();

    interface Limit {
        /** Sustained requests per second per client of a tenant, over all instances. */
        @WithDefault("500")
        double requestsPerSecond();

        /** Requests a client may send at once before the sustained rate applies, over all instances. */
        @WithDefault("1000")
        int burst();
    }

    /** This instance's share of the limit that applies to {@code tenant}'s clients. */
    default RateLimits.Limit share(String tenant) {
        Limit limit = tenants().getOrDefault(tenant, defaults());
        int n = Math.max(1, instances());
        return new RateLimits.Limit(limit.requestsPerSecond() / n, Math.max(1, limit.burst() / n));
    }
}
