package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.path.json.JsonPath;
import io.samtykke.preference.webhook.SealingKeys;
import io.samtykke.preference.webhook.SecretSealer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signing secrets are encrypted in PostgreSQL: a database dump does not let anyone forge webhooks. */
@QuarkusTest
class WebhookSecretAtRestTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    static final String SEALED = "sealed:v1:";

    @Inject
    SecretSealer sealer;

    @ConfigProperty(name = "samtykke.webhooks.secret-encryption-key")
    String currentKey;

    @ConfigProperty(name = "samtykke.webhooks.secret-encryption-previous-keys")
    List<String> previousKeys;

    @Test
    void theStoredSecretIsSealedAndDeliveriesAreStillSignedWithTheSecretShownOnce() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonPath created = subscribe(api, receiver);
            String id = created.getString("id");
            String secret = created.getString("secret");
            assertEquals(1, api.count("""
                    select count(*) from webhook_subscription where id = ?::uuid and secret like 'sealed:v1:%' and strpos(secret, ?) = 0
                      and strpos(secret, ?) = 0""", id, secret, secret.substring("whsec_".length())), "no trace of the secret in the row");

            api.grant("anna", "newsletter");
            api.withdraw("anna", "newsletter");
            assertTrue(receiver.awaitAcknowledged(r -> true, 1, WAIT).get(0).verified(), "signed with the secret shown at creation");

            String rotated = api.asMarketing().post("/v1/webhooks/" + id + "/secret").then().statusCode(200)
                    .extract().jsonPath().getString("secret");
            assertEquals(1, api.count("""
                    select count(*) from webhook_subscription where id = ?::uuid and secret like 'sealed:v1:%'
                      and previous_secret like 'sealed:v1:%' and strpos(secret, ?) = 0""", id, rotated.substring("whsec_".length())),
                    "after a rotation both the new and the previous secret are sealed");
        }
    }

    @Test
    void secretsStoredPlainBeforeEncryptionAreSealedAndASealedSecretOpensOnlyInItsOwnRow() throws Throwable {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver legacy = new WebhookReceiver(); WebhookReceiver copied = new WebhookReceiver()) {
            JsonPath first = subscribe(api, legacy);
            String legacyId = first.getString("id");
            // a row as stored before encryption was switched on
            api.execute("update webhook_subscription set secret = ? where id = ?::uuid", first.getString("secret"), legacyId);
            VertxContextSupport.subscribeAndAwait(() -> sealer.sealStored());
            assertEquals(1, api.count("select count(*) from webhook_subscription where id = ?::uuid and secret like 'sealed:v1:%'", legacyId));

            JsonPath second = subscribe(api, copied);
            // someone with write access copies the first row's sealed secret into the second: it must not open there
            api.execute("""
                    update webhook_subscription set secret = (select secret from webhook_subscription where id = ?::uuid)
                    where id = ?::uuid""", legacyId, second.getString("id"));

            api.grant("bo", "newsletter");
            api.withdraw("bo", "newsletter");
            assertTrue(legacy.awaitAcknowledged(r -> true, 1, WAIT).get(0).verified(), "the re-sealed secret still signs");
            // a negative check: the copied row's delivery was due with the legacy one's, yet nothing reaches its receiver
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
                    assertEquals(0, copied.all().size(), "a secret moved to another subscription does not open, so nothing is sent"));
            assertEquals(1, api.count("select count(*) from webhook_delivery where subscription_id = ?::uuid and status = 'PENDING'",
                    second.getString("id")), "the delivery waits, not lost");
        }
    }

    @Test
    void aSecretSealedWithAPreviousKeyIsSealedAgainWithTheCurrentKeyAndStillSigns() throws Throwable {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonPath created = subscribe(api, receiver);
            String id = created.getString("id");
            UUID subscription = UUID.fromString(id);
            // the row as stored before the key rotation, under the key that is now a previous key
            String underPreviousKey = SEALED + Base64.getEncoder().encodeToString(
                    SealingKeys.of(previousKeys.get(0), List.of(), "test").seal(subscription, created.getString("secret")));
            api.execute("update webhook_subscription set secret = ? where id = ?::uuid", underPreviousKey, id);

            VertxContextSupport.subscribeAndAwait(() -> sealer.sealStored());
            String stored = api.text("select secret from webhook_subscription where id = ?::uuid", id);
            assertNotEquals(underPreviousKey, stored);
            assertEquals(created.getString("secret"), SealingKeys.of(currentKey, List.of(), "test")
                            .open(subscription, Base64.getDecoder().decode(stored.substring(SEALED.length()))),
                    "sealed again with the current key: it opens without the previous one");

            api.grant("cy", "newsletter");
            api.withdraw("cy", "newsletter");
            assertTrue(receiver.awaitAcknowledged(r -> true, 1, WAIT).get(0).verified(), "still signed with the same secret");
        }
    }

    private static JsonPath subscribe(Api api, WebhookReceiver receiver) {
        JsonPath created = api.asMarketing().body(Map.of("url", receiver.url())).post("/v1/webhooks")
                .then().statusCode(201).extract().jsonPath();
        receiver.secret(created.getString("secret"));
        return created;
    }
}
