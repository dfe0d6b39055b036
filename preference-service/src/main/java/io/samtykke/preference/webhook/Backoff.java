package io.samtykke.preference.webhook;

import java.time.Duration;

/** Exponential backoff: the wait after the n-th failed attempt is initial × 2^(n-1), at most max. */
public record Backoff(Duration initial, Duration max) {

    public Duration after(int failedAttempts) {
        int doublings = Math.max(0, Math.min(failedAttempts - 1, 30));
        long millis = initial.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
