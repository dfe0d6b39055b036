package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.samtykke.consent.subject.SubjectRequestMetrics;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data subject requests: the lifecycle and its due dates, who may do what, and the subject event of every step. */
@QuarkusTest
class SubjectRequestTest {

    @Inject
    SubjectRequestMetrics metrics;

    @Test
    void aRequestIsDueOneCalendarMonthAfterReceiptAndEveryStepIsAnEventOnTheSubjectTopic() {
        Api api = Api.newTenant();
        var created = api.asSubject("anna").body(Map.of("type", "ACCESS", "details", "Send me everything you hold."))
                .post("/v1/subjects/anna/requests").then().statusCode(201)
                .body("status", equalTo("RECEIVED")).body("subjectId", equalTo("anna")).body("overdue", equalTo(false))
                .extract();
        String id = created.path("id");
        assertEquals("/v1/requests/" + id, java.net.URI.create(created.header("Location")).getPath());
        Instant received = Instant.parse(created.path("receivedAt"));
        assertEquals(received.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant(), Instant.parse(created.path("dueAt")));

        api.as("dpo").body(Map.of("status", "IN_PROGRESS")).post("/v1/requests/" + id + "/status").then().statusCode(200)
                .body("status", equalTo("IN_PROGRESS"));
        api.as("dpo").body(Map.of("months", 2, "reason", "Three archived systems must be searched."))
                .post("/v1/requests/" + id + "/extension").then().statusCode(200)
                .body("status", equalTo("EXTENDED")).body("extendedMonths", equalTo(2))
                .body("dueAt", equalTo(received.atOffset(ZoneOffset.UTC).plusMonths(3).toInstant().toString()));
        // one extension only
        api.as("dpo").body(Map.of("months", 1, "reason", "again")).post("/v1/requests/" + id + "/extension").then()
                .statusCode(409).contentType("application/problem+json").body("detail", containsString("extended already"));
        // completing needs a reason
        api.as("dpo").body(Map.of("status", "COMPLETED")).post("/v1/requests/" + id + "/status").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/reason"));
        api.as("dpo").body(Map.of("status", "COMPLETED", "reason", "Export sent by secure mail."))
                .post("/v1/requests/" + id + "/status").then().statusCode(200)
                .body("status", equalTo("COMPLETED")).body("closingReason", equalTo("Export sent by secure mail."));
        // closed: no more steps
        api.as("dpo").body(Map.of("status", "REJECTED", "reason", "changed my mind")).post("/v1/requests/" + id + "/status")
                .then().statusCode(409).contentType("application/problem+json");
        api.asSubject("anna").get("/v1/requests/" + id).then().statusCode(200).body("status", equalTo("COMPLETED"))
                .body("extendedMonths", equalTo(2));

        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS)) {
            List<ConsumerRecord<String, byte[]>> records = subjectEvents.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 5,
                    Duration.ofSeconds(30));
            List<SubjectEvent> events = records.stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.REQUEST_STARTED, SubjectEventType.EXPORT_REQUESTED,
                    SubjectEventType.REQUEST_EXTENDED, SubjectEventType.REQUEST_COMPLETED), events.stream().map(SubjectEvent::change).toList());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), events.stream().map(SubjectEvent::subjectSeq).toList(), "dense, from 1");
            events = List.of(events.get(0), events.get(1), events.get(3), events.get(4)); // the request's own steps
            assertTrue(records.stream().allMatch(r -> (api.tenant + "/anna").equals(r.key())));
            assertEquals("SUBJECT", events.get(0).evidence().actor().type().name(), "the person filed it");
            assertEquals("AGENT", events.get(1).evidence().actor().type().name(), "the DPO moved it on");
            assertEquals("dpo-client", events.get(1).evidence().actor().id());
            assertEquals(2, events.get(2).request().extendedMonths());
            assertEquals("Three archived systems must be searched.", events.get(2).reason());
            assertEquals(SubjectRequestStatus.COMPLETED, events.get(3).request().status());
        }
        assertEquals(0, api.records("anna"), "no consent record: the consent events' sequence is untouched");
    }

    @Test
    void aPersonFilesAndReadsOnlyTheirOwnRequestsAndTheDpoSeesTheTenantsOnly() {
        Api api = Api.newTenant();
        Api other = Api.newTenant();
        String annas = api.asSubject("anna").body(Map.of("type", "ERASURE")).post("/v1/subjects/anna/requests").then()
                .statusCode(201).extract().path("id");
        String bos = api.as("dpo").body(Map.of("type", "RECTIFICATION", "details", "Phone number changed"))
                .post("/v1/subjects/bo/requests").then().statusCode(201).extract().path("id");

        api.asSubject("anna").body(Map.of("type", "ACCESS")).post("/v1/subjects/bo/requests").then().statusCode(403)
                .contentType("application/problem+json");
        api.asSubject("anna").get("/v1/requests/" + bos).then().statusCode(404).contentType("application/problem+json");
        api.asSubject("anna").get("/v1/subjects/bo/requests").then().statusCode(403);
        api.asSubject("anna").get("/v1/subjects/anna/requests").then().statusCode(200).body("requests", hasSize(1))
                .body("requests[0].id", equalTo(annas));
        api.asSubject("anna").get("/v1/requests").then().statusCode(403);
        api.asSubject("anna").body(Map.of("status", "COMPLETED", "reason", "done")).post("/v1/requests/" + annas + "/status")
                .then().statusCode(403);
        api.as("app").body(Map.of("type", "ACCESS")).post("/v1/subjects/anna/requests").then().statusCode(403);

        other.as("dpo").get("/v1/requests/" + annas).then().statusCode(404);
        other.as("dpo").body(Map.of("status", "IN_PROGRESS")).post("/v1/requests/" + annas + "/status").then().statusCode(404);
        other.as("dpo").get("/v1/requests").then().statusCode(200).body("requests", hasSize(0));
        api.as("dpo").get("/v1/requests/" + annas).then().statusCode(200).body("status", equalTo("RECEIVED"));

        // the DPO's filters
        api.as("dpo").get("/v1/requests").then().statusCode(200).body("requests", hasSize(2));
        api.as("dpo").queryParam("type", "ERASURE").get("/v1/requests").then().body("requests", hasSize(1))
                .body("requests[0].id", equalTo(annas));
        api.as("dpo").queryParam("subject", "bo").get("/v1/requests").then().body("requests", hasSize(1))
                .body("requests[0].details", equalTo("Phone number changed"));
        api.as("dpo").queryParam("dueBefore", Instant.now().plus(Duration.ofDays(40)).toString()).get("/v1/requests").then()
                .body("requests", hasSize(2));
        api.as("dpo").queryParam("dueBefore", Instant.now().plus(Duration.ofDays(20)).toString()).get("/v1/requests").then()
                .body("requests", hasSize(0));
        api.as("dpo").body(Map.of("status", "REJECTED", "reason", "Identity not confirmed")).post("/v1/requests/" + bos + "/status")
                .then().statusCode(200);
        api.as("dpo").queryParam("status", "REJECTED").get("/v1/requests").then().body("requests", hasSize(1));
        api.as("dpo").queryParam("open", "true").get("/v1/requests").then().body("requests", hasSize(1))
                .body("requests[0].id", equalTo(annas));
    }

    @Test
    void badInputIsAProblemAndChangesNothing() {
        Api api = Api.newTenant();
        api.asSubject("anna").body(Map.of("type", "GOSSIP")).post("/v1/subjects/anna/requests").then().statusCode(400)
                .contentType("application/problem+json");
        api.asSubject("anna").body(Map.of()).post("/v1/subjects/anna/requests").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/type"));
        api.asSubject("anna").body(Map.of("type", "ACCESS", "details", "x".repeat(2001))).post("/v1/subjects/anna/requests")
                .then().statusCode(400).body("errors[0].pointer", equalTo("/details"));
        api.asSubject("anna").body(Map.of("type", "ACCESS", "whatever", 1)).post("/v1/subjects/anna/requests").then().statusCode(400);
        api.as("dpo").get("/v1/requests").then().statusCode(200).body("requests", hasSize(0));

        String id = api.asSubject("anna").body(Map.of("type", "ACCESS")).post("/v1/subjects/anna/requests").then()
                .statusCode(201).extract().path("id");
        api.as("dpo").body(Map.of("months", 3, "reason", "too long")).post("/v1/requests/" + id + "/extension").then()
                .statusCode(400).body("errors[0].pointer", equalTo("/months"));
        api.as("dpo").body(Map.of("months", 1)).post("/v1/requests/" + id + "/extension").then()
                .statusCode(400).body("errors[0].pointer", equalTo("/reason"));
        api.as("dpo").body(Map.of("status", "EXTENDED", "reason", "sneaky")).post("/v1/requests/" + id + "/status").then()
                .statusCode(409);
        api.as("dpo").queryParam("status", "LOST").get("/v1/requests").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/query/status"));
        api.as("dpo").get("/v1/requests/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        api.as("dpo").get("/v1/requests/" + id).then().statusCode(200).body("status", equalTo("RECEIVED"))
                .body("extendedMonths", nullValue()).body("dueAt", equalTo(Instant.parse(api.as("dpo").get("/v1/requests/" + id)
                        .then().extract().path("receivedAt")).atOffset(ZoneOffset.UTC).plusMonths(1).toInstant().toString()));
    }

    @Test
    void openRequestsNearAndPastTheirDueDateAreCountedPerTenant() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String late = api.asSubject("anna").body(Map.of("type", "ACCESS")).post("/v1/subjects/anna/requests").then()
                .statusCode(201).extract().path("id");
        String soon = api.asSubject("bo").body(Map.of("type", "PORTABILITY")).post("/v1/subjects/bo/requests").then()
                .statusCode(201).extract().path("id");
        String closed = api.asSubject("cai").body(Map.of("type", "ACCESS")).post("/v1/subjects/cai/requests").then()
                .statusCode(201).extract().path("id");
        api.asSubject("dan").body(Map.of("type", "ACCESS")).post("/v1/subjects/dan/requests").then().statusCode(201);
        // time passes: received 40 and 25 days ago (the one received 25 days ago is due in 3 to 6 days)
        api.execute("update subject_request set received_at = now() - interval '40 days', due_at = now() - interval '9 days' "
                + "where tenant_id = ? and id in (?::uuid, ?::uuid)", api.tenant, late, closed);
        api.execute("update subject_request set received_at = now() - interval '25 days', due_at = now() + interval '4 days' "
                + "where tenant_id = ? and id = ?::uuid", api.tenant, soon);
        api.as("dpo").body(Map.of("status", "COMPLETED", "reason", "answered late")).post("/v1/requests/" + closed + "/status")
                .then().statusCode(200);
        api.as("dpo").get("/v1/requests/" + late).then().body("overdue", equalTo(true));
        api.as("dpo").get("/v1/requests/" + closed).then().body("overdue", equalTo(false));

        metrics.refresh().await().atMost(Duration.ofSeconds(10));
        String scrape = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(scrape.contains("samtykke_subject_requests_overdue{tenant=\"" + api.tenant + "\"} 1.0"), scrape);
        assertTrue(scrape.contains("samtykke_subject_requests_due_soon{tenant=\"" + api.tenant + "\"} 1.0"), scrape);
        Api quiet = Api.withConsentPurpose("newsletter", "EMAIL");
        metrics.refresh().await().atMost(Duration.ofSeconds(10));
        String again = RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(again.contains("samtykke_subject_requests_overdue{tenant=\"" + quiet.tenant + "\"} 0.0"),
                "a tenant without requests has its series at 0");
    }
}
