package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.samtykke.preference.maintenance.StorageMaintenance;
import io.samtykke.preference.webhook.SecretSealer;
import io.samtykke.testsupport.Tokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A subscriber gets a new secret and switches to it at its own pace: both sign during the overlap, then the new one only. */
@QuarkusTest
class WebhookSecretRotationTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    StorageMaintenance maintenance;

    @Inject
    SecretSealer sealer;

    @Test
    void afterARotationReceiversWithTheOldOrTheNewSecretBothVerifyUntilTheOverlapEndsThenOnlyTheNewOne() throws Throwable {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonPath created = api.asMarketing().body(Map.of("url", receiver.url())).post("/v1/webhooks")
                    .then().statusCode(201).extract().jsonPath();
            String id = created.getString("id");
            String old = created.getString("secret");
            receiver.secret(old);
            api.withdraw("before", "newsletter");
            WebhookReceiver.Received before = receiver.awaitAcknowledged(r -> r.subjectId().equals("before"), 1, WAIT).get(0);
            assertEquals(1, before.signatures(), "one secret, one signature");

            // as the README's curl does it: no body, no Content-Type
            Instant asked = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            JsonPath rotated = given().auth().oauth2(Tokens.forTests().mint(api.tenant, "admin-1", "admin"))
                    .post("/v1/webhooks/" + id + "/secret").then().statusCode(200)
                    .contentType("application/json")
                    .body("id", equalTo(id)).body("secret", startsWith("whsec_"))
                    .extract().jsonPath();
            Instant rotatedAt = Instant.parse(rotated.getString("secretRotatedAt"));
            assertTrue(!rotatedAt.isBefore(asked) && !rotatedAt.isAfter(Instant.now()), "rotated when asked: " + rotatedAt);
            String fresh = rotated.getString("secret");
            assertNotEquals(old, fresh);
            assertEquals(Duration.ofHours(24), Duration.between(Instant.parse(rotated.getString("secretRotatedAt")),
                    Instant.parse(rotated.getString("previousSecretValidUntil"))), "the default overlap");
            api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200).body("secret", nullValue())
                    .body("secretRotatedAt", equalTo(rotated.getString("secretRotatedAt")))
                    .body("previousSecretValidUntil", equalTo(rotated.getString("previousSecretValidUntil")));
            api.asMarketing().get("/v1/webhooks").then().statusCode(200).body("subscriptions[0].secret", nullValue());

            // the receiver has not switched yet: it still holds only the old secret, and keeps acknowledging
            api.withdraw("during-old", "newsletter");
            WebhookReceiver.Received during = receiver.awaitAcknowledged(r -> r.subjectId().equals("during-old"), 1, WAIT).get(0);
            assertEquals(2, during.signatures(), "v1,<new> v1,<old>: " + during.signature());
            assertTrue(during.verifiesWith(old));
            assertTrue(during.verifiesWith(fresh), "a receiver that already switched verifies the same request");

            // it switches to the new secret within the overlap
            receiver.secret(fresh);
            api.withdraw("during-new", "newsletter");
            WebhookReceiver.Received switched = receiver.awaitAcknowledged(r -> r.subjectId().equals("during-new"), 1, WAIT).get(0);
            assertTrue(switched.verifiesWith(fresh));
            assertTrue(switched.verifiesWith(old), "the overlap is not over yet");

            // the overlap ends: a receiver still holding the old secret refuses what comes now (401); the new one verifies
            api.execute("update webhook_subscription set previous_secret_valid_until = now() - interval '1 second' where id = ?::uuid", id);
            receiver.secret(old);
            api.withdraw("after", "newsletter");
            WebhookReceiver.Received after = receiver.awaitReceived(r -> r.subjectId().equals("after"), 1, WAIT).get(0);
            assertEquals(401, after.answered());
            assertEquals(1, after.signatures(), after.signature());
            assertFalse(after.verifiesWith(old));
            assertTrue(after.verifiesWith(fresh));
            receiver.secret(fresh);
            api.withdraw("after-switch", "newsletter");
            receiver.awaitAcknowledged(r -> r.subjectId().equals("after-switch"), 1, WAIT);

            // and the old secret is not kept once it is no longer used
            assertEquals(old, sealer.open(UUID.fromString(id),
                    api.text("select previous_secret from webhook_subscription where id = ?::uuid", id)));
            VertxContextSupport.subscribeAndAwait(() -> maintenance.run());
            assertEquals(0, api.count("select count(*) from webhook_subscription where id = ?::uuid and previous_secret is not null", id));
            String overlapEnded = api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200)
                    .body("secret", nullValue()).extract().path("previousSecretValidUntil");
            assertTrue(Instant.parse(overlapEnded).isBefore(Instant.now()), "the overlap shown as ended: " + overlapEnded);
        }
    }

    @Test
    void anotherTenantCannotRotateASecretAndNothingChanges() {
        Api api = Api.newTenant();
        JsonPath created = api.asMarketing().body(Map.of("url", "https://crm.example.com/hooks")).post("/v1/webhooks")
                .then().statusCode(201).extract().jsonPath();
        String id = created.getString("id");

        Api other = Api.newTenant();
        other.asMarketing().post("/v1/webhooks/" + id + "/secret").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("https://samtykke.io/problems/not-found"));
        other.asAdmin().post("/v1/webhooks/" + id + "/secret").then().statusCode(404).contentType("application/problem+json");
        api.asApp().post("/v1/webhooks/" + id + "/secret").then().statusCode(403).contentType("application/problem+json");
        api.asMarketing().post("/v1/webhooks/not-an-id/secret").then().statusCode(404).contentType("application/problem+json");

        assertEquals(created.getString("secret"), sealer.open(UUID.fromString(id),
                api.text("select secret from webhook_subscription where id = ?::uuid", id)), "the secret is the one made at creation");
        assertEquals(1, api.count("""
                select count(*) from webhook_subscription where id = ?::uuid and previous_secret is null
                  and secret_rotated_at is null and previous_secret_valid_until is null""", id), "no rotation is recorded");
        api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200)
                .body("secretRotatedAt", nullValue()).body("previousSecretValidUntil", nullValue());
    }
}
