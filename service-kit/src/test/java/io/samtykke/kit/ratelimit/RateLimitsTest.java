package io.samtykke.kit.ratelimit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RateLimitsTest {

    @Test
    void aBurstPassesThenTheCallerWaitsAndOtherCallersDoNot() {
        RateLimits limits = new RateLimits(Duration.ofMinutes(1), 1000);
        RateLimits.Limit limit = new RateLimits.Limit(2, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limits.acquire("tenant/app", limit), "within the burst: " + i);
        }
        long wait = limits.acquire("tenant/app", limit);
        assertEquals(1, wait, "the fourth waits for the next token (0.5 s, said as 1 s)");
        assertEquals(0, limits.acquire("tenant/other-app", limit), "another client has its own bucket");
        // a refused request takes no token, so asking again and again is what a waiting caller would do
        await("a token comes back at 2 per second").atLeast(Duration.ofMillis(300)).atMost(Duration.ofMillis(600))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> limits.acquire("tenant/app", limit), seconds -> seconds == 0);
    }

    @Test
    void aFractionalRateHolds() {
        RateLimits limits = new RateLimits(Duration.ofMinutes(1), 1000);
        RateLimits.Limit slow = new RateLimits.Limit(0.5, 1);
        assertEquals(0, limits.acquire("k", slow));
        long wait = limits.acquire("k", slow);
        assertEquals(2, wait, "one request per 2 s");
    }

    @Test
    void idleCallersAreForgottenSoMemoryStaysBounded() {
        RateLimits limits = new RateLimits(Duration.ofSeconds(2), 1_000_000);
        for (int i = 0; i < 10_000; i++) {
            limits.acquire("person-" + i, new RateLimits.Limit(10, 10));
        }
        assertEquals(10_000, limits.size(), "one bucket per caller while they are active");
        await("no bucket is kept for a caller who went away (idle 2 s)").atLeast(Duration.ofMillis(1500))
                .atMost(Duration.ofMillis(2500)).pollInterval(Duration.ofMillis(50)).until(limits::size, size -> size == 0);
        RateLimits small = new RateLimits(Duration.ofHours(1), 100);
        for (int i = 0; i < 10_000; i++) {
            small.acquire("person-" + i, new RateLimits.Limit(10, 10));
        }
        assertEquals(100, small.size(), "and never more than the bound");
    }
}
