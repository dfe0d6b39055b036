package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The person-wide objection to direct marketing and the restriction of processing, and their events. */
@QuarkusTest
class ObjectionAndRestrictionTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final Map<String, Object> EVIDENCE = Map.of("evidence", Map.of("source", Map.of("appId", "mobiplus-app",
            "platform", "android", "appVersion", "7.0.1", "collectionPoint", "privacy-settings"), "language", "sv"));

    @Test
    void anObjectionToAllDirectMarketingIsAnOptOutUntilThePersonWithdrawsIt() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("anna", "newsletter", "GRANT").statusCode(201);
        // an app relays it only with evidence
        api.as("app").body(Map.of()).post("/v1/subjects/anna/objection").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/evidence/source"));
        api.as("subject", "anna").get("/v1/subjects/anna/status").then().statusCode(200).body("objection", nullValue());
        api.as("app").body(EVIDENCE).post("/v1/subjects/anna/objection").then().statusCode(201)
                .body("objection.scope", equalTo("DIRECT_MARKETING")).body("objection.since", notNullValue());
        api.asSubject("anna").body(Map.of()).post("/v1/subjects/anna/objection").then().statusCode(200)
                .body("objection.scope", equalTo("DIRECT_MARKETING"));
        api.asSubject("bo").body(Map.of()).post("/v1/subjects/anna/objection").then().statusCode(403);
        api.as("dpo").delete("/v1/subjects/anna/objection").then().statusCode(403);
        api.asSubject("anna").get("/v1/subjects/anna/status").then().statusCode(200)
                .body("objection.scope", equalTo("DIRECT_MARKETING"));
        api.asSubject("anna").delete("/v1/subjects/anna/objection").then().statusCode(200).body("objection", nullValue());
        api.asSubject("anna").delete("/v1/subjects/anna/objection").then().statusCode(404).contentType("application/problem+json");

        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS);
             TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            List<SubjectEvent> events = subjectEvents.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 2,
                    Duration.ofSeconds(30)).stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.OBJECTED, SubjectEventType.OBJECTION_WITHDRAWN),
                    events.stream().map(SubjectEvent::change).toList(), "the repeated objection changed nothing");
            assertEquals("mobiplus-app", events.get(0).evidence().source().appId());
            assertEquals(SubjectEvent.Scope.DIRECT_MARKETING, events.get(0).scope());
            List<ConsumerRecord<String, byte[]>> outs = optouts.await(r -> api.tenant.equals(header(r, "ce_tenantid"))
                    && header(r, "ce_type").startsWith("io.samtykke.subject."), 1, Duration.ofSeconds(30));
            SubjectEvent out = EventContract.assertSubjectEvent(outs.get(0));
            assertEquals(events.get(0), out, "the same event on the opt-outs topic");
        }
        // the consent stands: the objection overrides it in decisions, it does not rewrite it
        api.as("app").get("/v1/subjects/anna/consents").then().body("consents[0].state", equalTo("GRANTED"))
                .body("subjectSeq", equalTo(1));
    }

    @Test
    void completingARestrictionRequestRestrictsAndTheDpoLiftsIt() {
        Api api = Api.newTenant();
        String id = api.asSubject("anna").header("User-Agent", "anna-phone").header("traceparent", TRACEPARENT)
                .body(Map.of("type", "RESTRICTION", "details", "My address is wrong"))
                .post("/v1/subjects/anna/requests").then().statusCode(201).extract().path("id");
        api.as("dpo").body(Map.of("status", "COMPLETED", "reason", "Restricted until the address is verified"))
                .post("/v1/requests/" + id + "/status").then().statusCode(200);
        api.asSubject("anna").get("/v1/subjects/anna/status").then().statusCode(200)
                .body("restriction.reason", equalTo("Restricted until the address is verified"));
        api.as("dpo").body(Map.of("restricted", false)).put("/v1/subjects/anna/restriction").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/reason"));
        api.as("app").body(Map.of("restricted", false, "reason", "x")).put("/v1/subjects/anna/restriction").then().statusCode(403);
        api.asSubject("anna").get("/v1/subjects/anna/status").then().body("restriction", notNullValue());
        api.as("dpo").header("User-Agent", "dpo-desk").body(Map.of("restricted", false, "reason", "Address verified and corrected"))
                .put("/v1/subjects/anna/restriction").then().statusCode(200).body("restriction", nullValue());
        api.as("dpo").body(Map.of("restricted", true, "reason", "Direct restriction")).put("/v1/subjects/bo/restriction")
                .then().statusCode(200).body("restriction.reason", equalTo("Direct restriction"));

        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS);
             TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            List<ConsumerRecord<String, byte[]>> records = subjectEvents.await(r -> (api.tenant + "/anna").equals(r.key()), 4,
                    Duration.ofSeconds(30));
            List<SubjectEvent> annas = records.stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.RESTRICTED,
                    SubjectEventType.REQUEST_COMPLETED, SubjectEventType.RESTRICTION_LIFTED),
                    annas.stream().map(SubjectEvent::change).toList());
            assertEquals(SubjectRequestType.RESTRICTION, annas.get(1).request().type(), "the restriction names its request");
            assertEquals("Address verified and corrected", annas.get(3).reason());
            // where each step came from: the caller's user agent and address, and the request's trace context
            assertEquals("anna-phone", annas.get(0).evidence().userAgent());
            assertNotNull(annas.get(0).evidence().ipPrefix());
            assertEquals(TRACEPARENT, header(records.get(0), "ce_traceparent"));
            assertEquals("dpo-desk", annas.get(3).evidence().userAgent());
            // the restriction is an opt-out (no contact under any purpose), the same record on the opt-outs topic; its
            // lifting is not: anna's objection afterwards is the next record of hers there (one person's records keep order)
            api.asSubject("anna").body(Map.of()).post("/v1/subjects/anna/objection").then().statusCode(201);
            List<SubjectEvent> outs = optouts.await(r -> (api.tenant + "/anna").equals(r.key()), 2, Duration.ofSeconds(30))
                    .stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(annas.get(1), outs.get(0));
            assertEquals(List.of(SubjectEventType.RESTRICTED, SubjectEventType.OBJECTED), outs.stream().map(SubjectEvent::change).toList());
            SubjectEvent bos = EventContract.assertSubjectEvent(optouts.await(r -> (api.tenant + "/bo").equals(r.key()), 1,
                    Duration.ofSeconds(30)).get(0));
            assertEquals(SubjectEventType.RESTRICTED, bos.change(), "a direct restriction, too");
        }
    }
}
