package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With private networks not allowed, as in production: webhooks cannot be pointed at the service's own host, its
 * networks or cloud metadata (SSRF), neither when subscribing nor when a host's address changes later. The only test
 * class with its own profile (a profile restarts Quarkus); the others allow private networks for their receivers on
 * 127.0.0.1.
 */
@QuarkusTest
@TestProfile(WebhookPrivateNetworkTest.PublicNetworksOnly.class)
class WebhookPrivateNetworkTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    public static class PublicNetworksOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("samtykke.webhooks.allow-private-networks", "false");
        }
    }

    @ParameterizedTest(name = "{0} is refused")
    @CsvSource(delimiter = '|', textBlock = """
            http://127.0.0.1:8082/hook               | /url must point to a public address, but 127.0.0.1 is a loopback address (127.0.0.0/8)
            http://169.254.169.254/latest/meta-data/ | 169.254.169.254 is a link-local address (169.254.0.0/16)
            http://[::1]/hook                        | ::1 is the loopback address (::1/128)
            ftp://93.184.216.34/hook                 | /url must be an absolute http or https URL without user info
            http://localhost:9000/hook               | 'localhost resolves to '
            https://10.1.2.3/hook                    | 10.1.2.3 is a private (RFC 1918) address (10.0.0.0/8)
            https://192.168.0.10/hook                | 192.168.0.10 is a private (RFC 1918) address
            https://100.64.0.7/hook                  | 100.64.0.7 is a carrier-grade NAT (RFC 6598) address
            http://0.0.0.0:8082/hook                 | 0.0.0.0 is an unspecified address
            http://[::ffff:127.0.0.1]:8082/hook      | ::ffff:127.0.0.1 is a loopback address
            http://[fd00::1]/hook                    | fd00::1 is a unique local (private) address (fc00::/7)
            http://[fe80::1]/hook                    | fe80::1 is a link-local address (fe80::/10)
            http://224.0.0.251/hook                  | 224.0.0.251 is a multicast address
            """)
    void aUrlIntoAPrivateNetworkOrWithAnotherSchemeIsRefusedAndNothingIsStored(String url, String detail) {
        Api api = Api.newTenant();
        api.asMarketing().body(Map.of("url", url)).post("/v1/webhooks").then()
                .statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("detail", containsString(detail))
                .body("errors.size()", equalTo(1))
                .body("errors[0].pointer", equalTo("/url"));
        assertEquals(0, api.count("select count(*) from webhook_subscription where tenant_id = ?", api.tenant), "nothing stored");
    }

    @Test
    void aPublicAddressIsFine() {
        Api api = Api.newTenant();
        api.asMarketing().body(Map.of("url", "https://93.184.216.34/hook")).post("/v1/webhooks").then().statusCode(201);
        assertEquals(1, api.count("select count(*) from webhook_subscription where tenant_id = ?", api.tenant));
    }

    @Test
    void aHostWhoseAddressTurnsPrivateLaterIsNeverCalledAndTheLedgerSaysWhy() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonPath created = api.asMarketing().body(Map.of("url", "http://93.184.216.34/hook")).post("/v1/webhooks")
                    .then().statusCode(201).extract().jsonPath();
            String id = created.getString("id");
            receiver.secret(created.getString("secret"));
            // as if its name resolved elsewhere now: the same subscription leads to this machine
            api.execute("update webhook_subscription set url = ? where id = ?::uuid", receiver.url(), id);

            api.withdraw("anna", "newsletter");
            JsonPath dead = awaitDead(api, id);
            assertEquals(6, dead.getInt("deliveries[0].attempts"), "retried and dead-lettered like any failure");
            assertEquals("address not allowed: 127.0.0.1 is a loopback address (127.0.0.0/8)", dead.getString("deliveries[0].lastError"));
            List<String> errors = dead.getList("deliveries[0].attemptLog.error", String.class);
            assertEquals(6, errors.size());
            assertTrue(errors.stream().allMatch(e -> e.startsWith("address not allowed: ")), errors.toString());
            assertEquals(List.of(), receiver.all(), "the receiver was never called");
        }
    }

    private static JsonPath awaitDead(Api api, String id) {
        AtomicReference<JsonPath> page = new AtomicReference<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            page.set(api.asMarketing().get("/v1/webhooks/" + id + "/deliveries?status=DEAD").then().statusCode(200)
                    .extract().jsonPath());
            assertFalse(page.get().getList("deliveries").isEmpty(), () -> "no dead-lettered delivery: "
                    + api.asMarketing().get("/v1/webhooks/" + id + "/deliveries").then().extract().asString());
        });
        return page.get();
    }
}
