package io.samtykke.preference.webhook;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackoffTest {

    @Test
    void backoffDoublesFromTheInitialWaitUpToTheMaximum() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(1), b.after(1));
        assertEquals(Duration.ofSeconds(2), b.after(2));
        assertEquals(Duration.ofSeconds(32), b.after(6));
        assertEquals(Duration.ofMinutes(1), b.after(7));
        assertEquals(Duration.ofMinutes(1), b.after(500));
    }
}
