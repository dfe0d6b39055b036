package io.samtykke.kit.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitsTest {

    @Test
    void aBurstPassesThenTheCallerWaitsAndOtherCallersDoNot() throws Exception {
        RateLimits limits = new RateLimits(Duration.ofMinutes(1), 1000);
        RateLimits.Limit limit = new RateLimits.Limit(2, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limits.acquire("tenant/app", limit), "within the burst: " + i);
        }
        long wait = limits.acquire("tenant/app", limit);
        assertEquals(1, wait, "the fourth waits for the next token (0.5 s, said as 1 s)");
        assertEquals(0, limits.acquire("tenant/other-app", limit), "another client has its own bucket");
        Thread.sleep(600);
        assertEquals(0, limits.acquire("tenant/app", limit), "a token came back at 2 per second");
    }

    @Test
    void aFractionalRateHolds() {
        RateLimits limits = new RateLimits(Duration.ofMinutes(1), 1000);
        RateLimits.Limit slow = new RateLimits.Limit(0.5, 1);
        assertEquals(0, limits.acquire("k", slow));
        long wait = limits.acquire("k", slow);
        assertTrue(wait == 2, "one request per 2 s: " + wait);
    }

    @Test
    void idleCallersAreForgottenSoMemoryStaysBounded() throws Exception {
        RateLimits limits = new RateLimits(Duration.ofSeconds(2), 1_000_000);
        for (int i = 0; i < 10_000; i++) {
            limits.acquire("person-" + i, new RateLimits.Limit(10, 10));
        }
        assertEquals(10_000, limits.size(), "one bucket per caller while they are active");
        Thread.sleep(2500);
        assertEquals(0, limits.size(), "no bucket is kept for a caller who went away");
        RateLimits small = new RateLimits(Duration.ofHours(1), 100);
        for (int i = 0; i < 10_000; i++) {
            small.acquire("person-" + i, new RateLimits.Limit(10, 10));
        }
        assertTrue(small.size() <= 100, "and never more than the bound: " + small.size());
    }
}
