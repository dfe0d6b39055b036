package io.samtykke.kit.ratelimit;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each of N instances enforces 1/N of a tenant's limit, so the tenant's clients get the configured limit in all. */
class RateLimitConfigTest {

    record Limit(double requestsPerSecond, int burst) implements RateLimitConfig.Limit {
    }

    record Config(Limit defaults, Map<String, RateLimitConfig.Limit> tenants, int instances) implements RateLimitConfig {
    }

    @Test
    void oneInstanceEnforcesTheWholeLimitAndATenantsOwnLimitWins() {
        Config config = new Config(new Limit(500, 1000), Map.of("big-shop", new Limit(2000, 4000)), 1);
        assertEquals(new RateLimits.Limit(500, 1000), config.share("small-shop"));
        assertEquals(new RateLimits.Limit(2000, 4000), config.share("big-shop"));
    }

    @Test
    void fourInstancesEachEnforceAQuarterOfRateAndBurst() {
        Config config = new Config(new Limit(500, 1000), Map.of("big-shop", new Limit(2000, 4000)), 4);
        assertEquals(new RateLimits.Limit(125, 250), config.share("small-shop"));
        assertEquals(new RateLimits.Limit(500, 1000), config.share("big-shop"));
    }

    @Test
    void theBurstNeverDropsBelowOneRequest() {
        Config config = new Config(new Limit(0.5, 3), Map.of(), 8);
        assertEquals(new RateLimits.Limit(0.0625, 1), config.share("any"));
    }
}
