package io.samtykke.kit.ratelimit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** One bucket per tenant and client, whatever characters their names hold. */
class ClientRateLimitFilterTest {

    @Test
    void aTenantWhoseNameExtendsAnothersHasBucketsOfItsOwn() {
        assertNotEquals(ClientRateLimitFilter.key("shop", "eu/app"), ClientRateLimitFilter.key("shop/eu", "app"));
        assertNotEquals(ClientRateLimitFilter.key("shop", "1:x"), ClientRateLimitFilter.key("shop/1:x", "y"));
        assertEquals(ClientRateLimitFilter.key("shop", "app"), ClientRateLimitFilter.key("shop", "app"));
    }
}
