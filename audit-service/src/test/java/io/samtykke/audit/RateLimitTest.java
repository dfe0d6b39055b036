package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that floods the log gets 429 with Retry-After (RFC 6585); another client of the same tenant and a client
 * of another tenant do not. The tenant "rate-limited" has 0.5 requests per second and a burst of 3 in the test
 * profile, so the limit is reached however slow the machine is.
 */
@QuarkusTest
class RateLimitTest {

    @Test
    void aFloodingClientIsSlowedDownAndOthersAreNot() {
        Auditor tenant = Auditor.of("rate-limited");
        Response limited = null;
        int allowed = 0;
        for (int i = 0; i < 10 && limited == null; i++) {
            Response r = tenant.bearer("flooding-client", "auditor").get("/v1/checkpoint");
            if (r.statusCode() == 429) {
                limited = r;
            } else {
                assertEquals(200, r.statusCode(), r.asString());
                allowed++;
            }
        }
        assertTrue(limited != null, "10 requests at once exceed a burst of 3 at 0.5 per second");
        assertTrue(allowed >= 3 && allowed <= 4, "the burst of 3 (plus at most one refill) passes, then 429: " + allowed);
        assertEquals("application/problem+json", limited.contentType());
        assertEquals("https://samtykke.io/problems/rate-limited", limited.jsonPath().getString("type"));
        assertEquals(429, limited.jsonPath().getInt("status"));
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "a token refills in 2 s: Retry-After " + retryAfter);
        tenant.bearer("another-client", "auditor").get("/v1/checkpoint").then().statusCode(200);
        Auditor.newTenant().request().get("/v1/checkpoint").then().statusCode(200);
    }
}
