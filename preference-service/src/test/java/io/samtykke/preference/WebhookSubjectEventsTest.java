package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.samtykke.preference.WebhookDeliveryTest.ALL_CONSENT_TYPES;
import static io.samtykke.preference.WebhookDeliveryTest.DEFAULT_TYPES;
import static io.samtykke.preference.WebhookDeliveryTest.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What holds for a person as a whole reaches tools that do not speak Kafka: the objection to all direct marketing
 * (GDPR Art. 21) and the restriction of processing (Art. 18) go to every subscription of the default opt-outs, their
 * withdrawal and lifting to subscriptions that name them; signed, with the subject event as payload, once per event.
 * <p>
 * The negative checks rest on the per-person order of deliveries: a subscription delivers one person's events in the
 * order they were queued, so once a later event of the person has arrived, anything queued before it has arrived too.
 */
@QuarkusTest
class WebhookSubjectEventsTest {

    @Test
    void aDefaultSubscriptionReceivesThePersonsObjectionOnceSignedButNotItsWithdrawal() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver defaults = new WebhookReceiver(); WebhookReceiver consentOnly = new WebhookReceiver();
             WebhookReceiver objections = new WebhookReceiver()) {
            assertEquals(DEFAULT_TYPES, subscribe(api, defaults, null).getList("eventTypes"));
            subscribe(api, consentOnly, ALL_CONSENT_TYPES);
            SubjectEvent objected = setAndClearOnce(api, "mia", objections, SubjectEventType.OBJECTED,
                    SubjectEventType.OBJECTION_WITHDRAWN);
            assertDelivers(defaults.awaitAcknowledged(r -> true, 1, WAIT).get(0), objected, "io.samtykke.subject.objected.v1");

            ConsentEvent grant = api.grant("mia", "newsletter");
            ConsentEvent optOut = api.withdraw("mia", "newsletter");
            defaults.awaitAcknowledged(r -> r.webhookId().equals(optOut.eventId().toString()), 1, WAIT);
            assertEquals(List.of(objected.eventId().toString(), optOut.eventId().toString()), ids(defaults),
                    "the default opt-outs hold the objection, once, but not its withdrawal");
            consentOnly.awaitAcknowledged(r -> r.webhookId().equals(optOut.eventId().toString()), 1, WAIT);
            assertEquals(List.of(grant.eventId().toString(), optOut.eventId().toString()), ids(consentOnly),
                    "a subscription naming only consent types gets no subject events");
        }
    }

    @Test
    void aRestrictionGoesOnceToTheDefaultOptOutsAndItsLiftingOnlyToSubscriptionsNamingIt() {
        Api api = Api.newTenant().withPurposes();
        try (WebhookReceiver defaults = new WebhookReceiver(); WebhookReceiver restrictions = new WebhookReceiver()) {
            subscribe(api, defaults, null);
            SubjectEvent restricted = setAndClearOnce(api, "ole", restrictions, SubjectEventType.RESTRICTED,
                    SubjectEventType.RESTRICTION_LIFTED);
            assertDelivers(defaults.awaitAcknowledged(r -> true, 1, WAIT).get(0), restricted, "io.samtykke.subject.restricted.v1");

            ConsentEvent optOut = api.withdraw("ole", "newsletter");
            defaults.awaitAcknowledged(r -> r.webhookId().equals(optOut.eventId().toString()), 1, WAIT);
            assertEquals(List.of(restricted.eventId().toString(), optOut.eventId().toString()), ids(defaults),
                    "the restriction is an opt-out, delivered once (it was redelivered); its lifting is not");
        }
    }

    @Test
    void requestStepsAndTheErasureCannotBeNamed() {
        Api api = Api.newTenant();
        api.asMarketing().body(Map.of("url", "https://example.com/x", "eventTypes", List.of(SubjectEventType.RESTRICTED.type(),
                        SubjectEventType.REQUEST_RECEIVED.type(), SubjectEventType.ERASED.type())))
                .post("/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                .body("errors.pointer", org.hamcrest.Matchers.containsInAnyOrder("/eventTypes/1", "/eventTypes/2"));
        assertEquals(0, api.count("select count(*) from webhook_subscription where tenant_id = ?", api.tenant));
    }

    /**
     * V10 as Flyway ran it at start: a subscription stored with the old default (the four consent opt-outs) gets the
     * person-wide opt-outs, the objection and the restriction.
     */
    @Test
    void theMigrationGivesSubscriptionsOfTheOldDefaultThePersonWideOptOuts() throws IOException {
        Api api = Api.newTenant();
        List<String> oldDefault = DEFAULT_TYPES.subList(0, 4);
        String stored = subscribe(api, "https://example.com/old", oldDefault);
        String everyConsentType = subscribe(api, "https://example.com/all", ALL_CONSENT_TYPES);
        String withdrawals = subscribe(api, "https://example.com/withdrawals", List.of("io.samtykke.consent.withdrawn.v1"));
        String current = subscribe(api, "https://example.com/current", null);

        api.execute(migration("V10__webhook_subject_opt_outs.sql"));

        assertEquals(DEFAULT_TYPES, eventTypes(api, stored));
        assertEquals(Stream.concat(ALL_CONSENT_TYPES.stream(),
                        Stream.of("io.samtykke.subject.objected.v1", "io.samtykke.subject.restricted.v1")).toList(),
                eventTypes(api, everyConsentType));
        assertEquals(List.of("io.samtykke.consent.withdrawn.v1"), eventTypes(api, withdrawals), "it did not ask for the opt-outs");
        assertEquals(DEFAULT_TYPES, eventTypes(api, current), "already holding them: not added twice");
    }

    private static JsonPath subscribe(Api api, WebhookReceiver receiver, List<String> types) {
        Map<String, Object> body = types == null ? Map.of("url", receiver.url()) : Map.of("url", receiver.url(), "eventTypes", types);
        JsonPath created = api.asMarketing().body(body).post("/v1/webhooks").then().statusCode(201).extract().jsonPath();
        receiver.secret(created.getString("secret"));
        return created;
    }

    private static String subscribe(Api api, String url, List<String> types) {
        Map<String, Object> body = types == null ? Map.of("url", url) : Map.of("url", url, "eventTypes", types);
        return api.asMarketing().body(body).post("/v1/webhooks").then().statusCode(201).extract().path("id");
    }

    private static List<String> eventTypes(Api api, String id) {
        return api.asMarketing().get("/v1/webhooks/" + id).then().statusCode(200).extract().jsonPath().getList("eventTypes");
    }

    /** Every request's webhook-id, in the order received. */
    private static List<String> ids(WebhookReceiver receiver) {
        return receiver.all().stream().map(WebhookReceiver.Received::webhookId).toList();
    }

    private static String migration(String name) throws IOException {
        try (InputStream in = WebhookSubjectEventsTest.class.getResourceAsStream("/db/migration/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A subscription of {@code receiver} naming {@code set} and {@code cleared}; the person's {@code set} event, published
     * twice (a redelivered record), then {@code cleared}: the receiver gets {@code set} once, signed, then {@code cleared}.
     * Answers the {@code set} event.
     */
    private static SubjectEvent setAndClearOnce(Api api, String person, WebhookReceiver receiver, SubjectEventType set,
                                                SubjectEventType cleared) {
        subscribe(api, receiver, List.of(set.type(), cleared.type()));
        SubjectEvent first = ConsentLedger.recordSubject(api.tenant, person, set);
        assertDelivers(receiver.awaitAcknowledged(r -> true, 1, WAIT).get(0), first, set.type());
        ConsentLedger.publish(first); // a redelivered record
        SubjectEvent second = ConsentLedger.recordSubject(api.tenant, person, cleared);
        assertDelivers(receiver.awaitAcknowledged(r -> r.webhookId().equals(second.eventId().toString()), 1, WAIT).get(0),
                second, cleared.type());
        assertEquals(List.of(first.eventId().toString(), second.eventId().toString()), ids(receiver),
                "the redelivered " + set.type() + " is delivered once, then " + cleared.type());
        return first;
    }

    /** {@code got} is {@code event} as a delivery of {@code type}: signed with the subscription's secret, the event as its data. */
    private static void assertDelivers(WebhookReceiver.Received got, SubjectEvent event, String type) {
        assertTrue(got.verified(), "the Standard Webhooks signature verifies with the subscription's secret");
        assertEquals(event.eventId().toString(), got.webhookId());
        assertEquals(type, got.type());
        assertEquals(event, EventJson.read(got.json().path("data").toString(), SubjectEvent.class));
        assertEquals(event.recordedAt(), Instant.parse(got.json().path("timestamp").asText()));
    }
}
