package io.samtykke.kit.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast path skips decoding only for paths that decode to themselves; everything else is checked in full. */
class StrictRequestTextTest {

    @Test
    void onlyPrintableAsciiWithoutEscapesSkipsTheCheck() {
        assertTrue(StrictRequestText.plain("/v1/subjects/anna-1_x.y~z+w/consents"));
        assertFalse(StrictRequestText.plain("/v1/subjects/a%00b/consents"), "an escape is decoded and checked");
        assertFalse(StrictRequestText.plain("/v1/subjects/a%2Fb"), "an escape is decoded and checked");
        assertFalse(StrictRequestText.plain("/v1/subjects/a\u0001b"), "a control character is refused by the full check");
        assertFalse(StrictRequestText.plain("/v1/subjects/a\u007fb"), "DEL is left to the full check");
        assertFalse(StrictRequestText.plain("/v1/subjects/søren"), "non-ASCII is left to the full check");
        assertFalse(StrictRequestText.plain(null));
    }
}
