package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.samtykke.preference.WebhookDeliveryTest.WAIT;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An erasure (io.samtykke.subject.erased.v1): the person's preferences, projection, sends and webhook deliveries are
 * deleted, every decision denies with ERASED, and every webhook subscriber of the tenant, whatever types it asked for,
 * gets the signed erasure (GDPR Art. 19), which is in the delivery ledger.
 */
@QuarkusTest
class ErasureProjectionTest {

    @Test
    void anErasureDeletesThePersonDeniesEverythingAndIsDeliveredToEverySubscriber() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver optOuts = new WebhookReceiver(); WebhookReceiver grantsOnly = new WebhookReceiver()) {
            String optOutsId = subscribe(api, optOuts, null);
            String grantsId = subscribe(api, grantsOnly, List.of("io.samtykke.consent.granted.v1"));
            api.grantNewsletterAndAwaitIt("ida");
            api.grantNewsletterAndAwaitIt("jon");
            api.withdraw("ida", "newsletter");
            optOuts.awaitAcknowledged(r -> "ida".equals(r.subjectId()), 1, WAIT);
            grantsOnly.awaitAcknowledged(r -> "ida".equals(r.subjectId()), 1, WAIT);
            api.execute("""
                    insert into preference (tenant_id, subject_id, topics, frequency_caps, version, updated_at)
                    values (?, 'ida', '["ride-offers"]', '{}', 1, now())""", api.tenant);
            api.execute("""
                    insert into send (tenant_id, subject_id, channel, counts_for_cap, sent_at, recorded_at)
                    values (?, 'ida', 'EMAIL', true, now(), now())""", api.tenant);

            SubjectEvent erased = erased(api.tenant, "ida");
            ConsentLedger.publish(erased);

            WebhookReceiver.Received got = optOuts.awaitAcknowledged(r -> "io.samtykke.subject.erased.v1".equals(r.type()), 1, WAIT).get(0);
            assertTrue(got.verified(), "signed as every delivery");
            assertEquals(erased.eventId().toString(), got.webhookId());
            assertEquals(erased, EventJson.read(got.json().path("data").toString(), SubjectEvent.class));
            assertTrue(grantsOnly.awaitAcknowledged(r -> "io.samtykke.subject.erased.v1".equals(r.type()), 1, WAIT).get(0).verified(),
                    "also a subscriber of other types: Art. 19 tells every recipient");

            api.awaitDecision(Channel.EMAIL, "newsletter", "ida", "DENY", "ERASED");
            var formal = api.decide(Channel.EMAIL, "service-messages", null, "ida");
            assertEquals("DENY", formal.getString("decisions[0].decision"), "not even formal notices to an erased person");
            assertEquals("ALLOW", api.decide(Channel.EMAIL, "newsletter", null, "jon").getString("decisions[0].decision"));
            for (String table : List.of("preference", "consent_projection", "send")) {
                assertEquals(0, api.count("select count(*) from " + table + " where tenant_id = ? and subject_id = 'ida'", api.tenant), table);
            }
            assertEquals(List.of("io.samtykke.subject.erased.v1"), api.database().query("""
                    select event_type from webhook_delivery where tenant_id = ? and subject_id = 'ida' and subscription_id = ?::uuid""",
                    rs -> {
                        List<String> types = new java.util.ArrayList<>();
                        while (rs.next()) {
                            types.add(rs.getString(1));
                        }
                        return types;
                    }, api.tenant, optOutsId), "the earlier deliveries, holding the person's evidence, are gone");
            api.asMarketing().queryParam("subjectId", "ida").get("/v1/webhooks/" + grantsId + "/deliveries").then().statusCode(200)
                    .body("deliveries", hasSize(1)).body("deliveries[0].eventType", equalTo("io.samtykke.subject.erased.v1"))
                    .body("deliveries[0].status", equalTo("DELIVERED"));

            // a redelivery changes nothing: delivered once
            ConsentLedger.publish(erased);
            org.awaitility.Awaitility.await().during(java.time.Duration.ofMillis(700)).atMost(java.time.Duration.ofSeconds(3))
                    .untilAsserted(() -> assertEquals(1, optOuts.all().stream()
                            .filter(r -> "io.samtykke.subject.erased.v1".equals(r.type())).count()));
        }
    }

    private static String subscribe(Api api, WebhookReceiver receiver, List<String> types) {
        Map<String, Object> body = types == null ? Map.of("url", receiver.url()) : Map.of("url", receiver.url(), "eventTypes", types);
        var created = api.asMarketing().body(body).post("/v1/webhooks").then().statusCode(201).extract().jsonPath();
        receiver.secret(created.getString("secret"));
        return created.getString("id");
    }

    private static SubjectEvent erased(String tenant, String subjectId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return new SubjectEvent(UUID.randomUUID(), tenant, subjectId, 1, SubjectEventType.ERASED, null,
                new SubjectEvent.Request(UUID.randomUUID(), SubjectRequestType.ERASURE, SubjectRequestStatus.COMPLETED, now,
                        now.plus(30, ChronoUnit.DAYS), null),
                "Account deleted on the person's request",
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.AGENT, "dpo-1"), null, null, null), now, now);
    }
}
