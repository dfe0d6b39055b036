package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.contract.Channel;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import io.samtykke.preference.projection.StateTopicRebuild;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The projection of samtykke.consent.events.v1 that decisions read: idempotent, ordered, rebuildable, observable. */
@QuarkusTest
class ConsentProjectionTest {

    @Inject
    StateTopicRebuild rebuild;

    @Test
    void aWithdrawalOnTheEventsTopicFlipsTheDecisionToDenyWithItsConsentVersion() {
        Api api = Api.newTenant().withPurposes();
        ConsentEvent grant = api.grant("anna", "newsletter");
        JsonPath allowed = api.awaitDecision(Channel.EMAIL, "newsletter", "anna", "ALLOW", "CONSENT_GRANTED");
        assertEquals(1, allowed.getInt("decisions[0].consent.subjectSeq"));
        assertEquals(grant.eventId().toString(), allowed.getString("decisions[0].consent.eventId"));

        ConsentEvent withdrawal = api.withdraw("anna", "newsletter");
        JsonPath denied = api.awaitDecision(Channel.EMAIL, "newsletter", "anna", "DENY", "WITHDRAWN");
        assertEquals(2, denied.getInt("decisions[0].consent.subjectSeq"));
        assertEquals(withdrawal.eventId().toString(), denied.getString("decisions[0].consent.eventId"));
        assertEquals("WITHDRAWN", denied.getString("decisions[0].consent.state"));
    }

    @Test
    void aRedeliveredOlderEventChangesNothing() {
        Api api = Api.newTenant().withPurposes();
        ConsentEvent grant = api.grant("bo", "newsletter");
        api.withdraw("bo", "newsletter");
        api.awaitDecision(Channel.EMAIL, "newsletter", "bo", "DENY", "WITHDRAWN");

        ConsentLedger.publish(grant); // the same event id and subjectseq 1 again, as after a producer retry
        api.grant("bo", "sms-offers"); // same person, so the same partition: applied after the redelivery
        api.awaitDecision(Channel.SMS, "sms-offers", "bo", "ALLOW", "CONSENT_GRANTED");

        JsonPath still = api.decide(Channel.EMAIL, "newsletter", null, "bo");
        assertEquals("DENY", still.getString("decisions[0].decision"));
        assertEquals(2, still.getInt("decisions[0].consent.subjectSeq"));
        assertEquals(3, api.count("select applied_seq from projection_subject where tenant_id = ? and subject_id = 'bo'", api.tenant));
    }

    @Test
    void expiredObjectedAndPendingConsentsAreDeniedWithTheirReason() {
        Api api = Api.newTenant().withPurposes();
        ConsentLedger.record(api.tenant, "cy", FakeConsentService.purpose(api.tenant, "newsletter"), ConsentAction.GRANT,
                ConsentState.GRANTED, Instant.now().minusSeconds(1));
        api.consent("dea", "newsletter", ConsentAction.GRANT, ConsentState.PENDING_CONFIRMATION);
        api.consent("eli", "product-news", ConsentAction.OBJECT, ConsentState.OBJECTED);
        api.awaitDecision(Channel.EMAIL, "newsletter", "cy", "DENY", "EXPIRED");
        api.awaitDecision(Channel.EMAIL, "newsletter", "dea", "DENY", "PENDING_CONFIRMATION");
        api.awaitDecision(Channel.EMAIL, "product-news", "eli", "DENY", "OBJECTED");
    }

    @Test
    void aRecordThatIsNotAConsentEventIsDeadLetteredAndThePersonsLaterEventsStillApply() {
        Api api = Api.newTenant().withPurposes();
        String key = api.tenant + "/fay";
        ConsentLedger.sendRaw(key, "{not json".getBytes(StandardCharsets.UTF_8),
                Map.of(CloudEventHeaders.TYPE, "io.samtykke.consent.granted.v1".getBytes(StandardCharsets.UTF_8)));
        api.grantNewsletterAndAwaitIt("fay");
        try (TopicReader dlq = new TopicReader(Topics.deadLetter("preference-service-projection"))) {
            ConsumerRecord<String, byte[]> dead = dlq.await(r -> key.equals(r.key()), 1, Duration.ofSeconds(20)).get(0);
            assertEquals("{not json", new String(dead.value(), StandardCharsets.UTF_8));
            assertTrue(new String(dead.headers().lastHeader("dlq_reason").value(), StandardCharsets.UTF_8).contains("not a valid ConsentEvent"),
                    new String(dead.headers().lastHeader("dlq_reason").value(), StandardCharsets.UTF_8));
        }
    }

    /**
     * An event the database refuses (a NUL in the purpose: PostgreSQL text cannot hold it) used to fail its whole batch
     * again and again: the projection stopped for everyone. Now the batch is applied event by event, only that event is
     * dead-lettered (topic and table), later events of the same person apply, and an admin lists and replays it.
     */
    @Test
    void anEventTheDatabaseRefusesIsKeptAsADeadLetterAndTheProjectionGoesOn() {
        Api api = Api.newTenant().withPurposes();
        ConsentEvent valid = ConsentLedger.record(api.tenant, "gus", FakeConsentService.purpose(api.tenant, "newsletter"),
                io.samtykke.contract.ConsentAction.GRANT, io.samtykke.contract.ConsentState.GRANTED, null);
        api.awaitDecision(Channel.EMAIL, "newsletter", "gus", "ALLOW", "CONSENT_GRANTED");
        // an event of ida with a purpose no table can store, then ida's next (valid) event and another person's
        String json = io.samtykke.contract.EventJson.write(valid)
                .replace(valid.eventId().toString(), java.util.UUID.randomUUID().toString())
                .replace("\"subjectId\":\"gus\"", "\"subjectId\":\"ida\"")
                .replace("\"purpose\":\"newsletter\"", "\"purpose\":\"news\\u0000letter\"");
        Map<String, byte[]> headers = new java.util.HashMap<>(CloudEventHeaders.forEvent(valid, "/samtykke/consent-service", null));
        headers.put(CloudEventHeaders.ID, java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        ConsentLedger.sendRaw(api.tenant + "/ida", json.getBytes(StandardCharsets.UTF_8), headers);
        api.grantNewsletterAndAwaitIt("ida");
        api.grantNewsletterAndAwaitIt("hal");

        JsonPath listed = api.asAdmin().get("/v1/projection/dead-letters").then().statusCode(200).extract().jsonPath();
        assertEquals(1, listed.getList("deadLetters").size());
        assertEquals(api.tenant, listed.getString("deadLetters[0].tenantId"));
        assertEquals(Topics.CONSENT_EVENTS, listed.getString("deadLetters[0].topic"));
        assertEquals(true, listed.getString("deadLetters[0].reason").contains("22021"), listed.getString("deadLetters[0].reason"));
        assertEquals(json, new String(java.util.Base64.getDecoder().decode(listed.getString("deadLetters[0].value")),
                StandardCharsets.UTF_8));
        given().get("/q/health/ready").then()
                .body("checks.find { it.name == 'consent projection' }.data.deadLetters", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        long id = listed.getLong("deadLetters[0].id");
        api.asAdmin().post("/v1/projection/dead-letters/" + id + "/replay").then().statusCode(422)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("22021"));
        api.asMarketing().post("/v1/projection/dead-letters/" + id + "/replay").then().statusCode(403);
        Api.newTenant().asAdmin().post("/v1/projection/dead-letters/" + id + "/replay").then().statusCode(404);
        assertEquals("gus", valid.subjectId());
    }

    @Test
    void anEmptiedProjectionRebuiltFromTheCompactedStateTopicGivesTheSameDecisions() {
        Api api = Api.newTenant().withPurposes();
        api.grant("s1", "newsletter");
        api.grant("s2", "newsletter");
        api.withdraw("s2", "newsletter");
        api.consent("s3", "newsletter", ConsentAction.GRANT, ConsentState.PENDING_CONFIRMATION);
        api.grant("s4", "newsletter");
        api.consent("s4", "newsletter", ConsentAction.DENY, ConsentState.DENIED);
        api.grant("s5", "sms-offers");
        api.consent("s6", "product-news", ConsentAction.OBJECT, ConsentState.OBJECTED);
        String[] subjects = {"s1", "s2", "s3", "s4", "s5", "s6", "nobody"};
        api.awaitDecision(Channel.SMS, "sms-offers", null, "s5", a -> "ALLOW".equals(a.getString("decisions[0].decision")));
        api.awaitDecision(Channel.EMAIL, "product-news", "s6", "DENY", "OBJECTED");
        api.awaitDecision(Channel.EMAIL, "newsletter", "s4", "DENY", "DENIED");
        List<String> before = answers(api, subjects);

        // the database is lost: nothing of this tenant is left, not even its purpose catalog
        for (String table : List.of("consent_projection", "projection_subject", "purpose", "purpose_sync")) {
            api.execute("delete from " + table + " where tenant_id = ?", api.tenant);
        }
        assertNotEquals(before, answers(api, subjects), "with the projection gone the answers differ");

        rebuild.run();
        assertEquals(before, answers(api, subjects));
    }

    @Test
    void theProjectionReportsItsLagInHealthAndMetrics() {
        Api api = Api.newTenant().withPurposes();
        Instant start = Instant.now();
        api.grantNewsletterAndAwaitIt("gus");
        String lastApplied = given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'consent projection' }.status", org.hamcrest.Matchers.equalTo("UP"))
                .body("checks.find { it.name == 'consent projection' }.data.phase", org.hamcrest.Matchers.equalTo("FOLLOWING"))
                .body("checks.find { it.name == 'consent projection' }.data.lagRecords", org.hamcrest.Matchers.greaterThanOrEqualTo(0))
                .extract().path("checks.find { it.name == 'consent projection' }.data.lastAppliedAt");
        Instant applied = Instant.parse(lastApplied);
        assertTrue(!applied.isBefore(start.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)) && !applied.isAfter(Instant.now()),
                "the grant of this test was applied at " + applied + ", after " + start);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("samtykke_projection_lag_records"))
                .body(containsString("samtykke_projection_events_applied_total"))
                .body(containsString("samtykke_projection_apply_delay_seconds{quantile=\"0.99\""));
        given().get("/q/health/ready").then().body("checks.name", hasItem("consent projection"));
    }

    /** Each subject's newsletter (or the purpose it was given) decision: verdict, reasons and consent version. */
    private static List<String> answers(Api api, String... subjects) {
        List<String> all = new ArrayList<>();
        for (String purpose : List.of("newsletter", "sms-offers", "product-news")) {
            Channel channel = purpose.equals("sms-offers") ? Channel.SMS : Channel.EMAIL;
            JsonPath a = api.decide(channel, purpose, null, subjects);
            for (int i = 0; i < subjects.length; i++) {
                all.add(purpose + " " + subjects[i] + " " + a.getString("decisions[" + i + "].decision") + " "
                        + a.getList("decisions[" + i + "].reasons.code") + " " + a.getString("decisions[" + i + "].consent.subjectSeq")
                        + " " + a.getString("decisions[" + i + "].consent.eventId"));
            }
        }
        return all;
    }
}
