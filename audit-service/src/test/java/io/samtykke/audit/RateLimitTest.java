package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One client that floods the log gets 429 with Retry-After (RFC 6585); another client of another tenant does not. */
@QuarkusTest
class RateLimitTest {

    @Test
    void aFloodingClientIsSlowedDownAndOthersAreNot() {
        Auditor flooding = Auditor.newTenant();
        Response limited = null;
        for (int i = 0; i < 600 && limited == null; i++) {
            Response r = flooding.request().get("/v1/checkpoint");
            if (r.statusCode() == 429) {
                limited = r;
            } else {
                assertEquals(200, r.statusCode(), r.asString());
            }
        }
        assertTrue(limited != null, "600 requests at once exceed a burst of 100 at 50 per second");
        assertEquals("application/problem+json", limited.contentType());
        assertEquals("https://samtykke.io/problems/rate-limited", limited.jsonPath().getString("type"));
        assertTrue(Long.parseLong(limited.header("Retry-After")) >= 1);
        Auditor.newTenant().request().get("/v1/checkpoint").then().statusCode(200);
    }
}
