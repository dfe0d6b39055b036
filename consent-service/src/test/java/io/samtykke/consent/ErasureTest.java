package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.consent.maintenance.InactivityRetention;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Erasure (GDPR Art. 17): a completed ERASURE request deletes the person's identifiers, records and state, keeps only
 * keyed suppression tags, publishes io.samtykke.subject.erased.v1 (also as an opt-out), and refuses every later write
 * about the subject id or their identifiers; the tenant's inactivity retention erases the same way.
 */
@QuarkusTest
class ErasureTest {

    private static final Map<String, Object> ANNA_EMAIL = Map.of("type", "EMAIL", "value", "anna@example.dk");

    @Inject
    InactivityRetention retention;

    @Test
    void completingAnErasureRequestErasesThePersonAndRefusesThemLater() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "identifiers", List.of(ANNA_EMAIL, Map.of("type", "PHONE", "value", "+4512345678")),
                        "evidence", Map.of("ipAddress", "192.0.2.17", "userAgent", "MileageBook/3.2 (iPhone)")))
                .post("/v1/subjects/anna/consents").then().statusCode(201);
        api.change("bo", "newsletter", "GRANT").statusCode(201);
        // a double opt-in link waiting to be clicked: it names the person, so it goes with them
        api.purpose("weekly-digest", "EMAIL", "CONSENT", "MARKETING", true, null);
        api.change("anna", "weekly-digest", "GRANT").statusCode(201).body("records[0].state", equalTo("PENDING_CONFIRMATION"));
        assertEquals(1, api.count("select count(*) from confirmation_token where tenant_id = ? and subject_id = 'anna'", api.tenant));
        String id = api.asSubject("anna").body(Map.of("type", "ERASURE", "details", "Delete my account, anna@example.dk"))
                .post("/v1/subjects/anna/requests").then().statusCode(201).extract().path("id");
        api.as("dpo").body(Map.of("status", "COMPLETED", "reason", "Account deleted on the person's request"))
                .post("/v1/requests/" + id + "/status").then().statusCode(200).body("status", equalTo("COMPLETED"));

        // nothing personal is left: no identifiers, records, state, subject row; the request names a stand-in
        assertEquals(0, api.count("select count(*) from subject_identifier where tenant_id = ? and subject_id = 'anna'", api.tenant));
        assertEquals(0, api.records("anna"));
        assertEquals(0, api.count("select count(*) from consent_current where tenant_id = ? and subject_id = 'anna'", api.tenant));
        assertEquals(0, api.count("select count(*) from confirmation_token where tenant_id = ? and subject_id = 'anna'", api.tenant));
        assertEquals(0, api.count("select count(*) from subject where tenant_id = ? and subject_id = 'anna'", api.tenant));
        assertEquals(0, api.count("select count(*) from subject_request where tenant_id = ? and subject_id = 'anna'", api.tenant));
        assertEquals(1, api.count("select count(*) from erased_subject where tenant_id = ?", api.tenant));
        assertEquals(2, api.count("select count(*) from erased_identifier where tenant_id = ?", api.tenant));
        assertEquals(0, api.count("""
                select count(*) from erased_subject where position(convert_to('anna', 'UTF8') in tag) > 0""")
                + api.count("select count(*) from subject_request where details like '%anna%' or subject_id like '%anna%'"));
        api.as("app").get("/v1/subjects/anna/consents").then().statusCode(200).body("consents", hasSize(0));
        api.as("app").get("/v1/subjects/anna/consents/history").then().statusCode(200).body("records", hasSize(0));
        api.as("dpo").get("/v1/requests/" + id).then().statusCode(200).body("status", equalTo("COMPLETED"))
                .body("subjectId", startsWith("~erased:")).body("details", equalTo(null));
        // bo is untouched
        api.as("app").get("/v1/subjects/bo/consents").then().body("consents[0].state", equalTo("GRANTED"));

        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS);
             TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            List<SubjectEvent> events = subjectEvents.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 3,
                    Duration.ofSeconds(30)).stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.REQUEST_COMPLETED, SubjectEventType.ERASED),
                    events.stream().map(SubjectEvent::change).toList());
            SubjectEvent erased = events.get(2);
            assertEquals(SubjectRequestType.ERASURE, erased.request().type());
            assertEquals("anna", erased.subjectId());
            assertEquals("Account deleted on the person's request", erased.reason());
            var out = optouts.await(r -> api.tenant.equals(header(r, "ce_tenantid"))
                    && SubjectEventType.ERASED.type().equals(header(r, "ce_type")), 1, Duration.ofSeconds(30));
            assertEquals(erased, EventContract.assertSubjectEvent(out.get(0)), "the same event on the opt-outs topic");
        }

        // later writes about the person are refused and change nothing
        api.change("anna", "newsletter", "GRANT").statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/subject-erased"));
        api.asSubject("anna").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1"))))
                .post("/v1/subjects/anna/consents").then().statusCode(409).body("type", equalTo("https://samtykke.io/problems/subject-erased"));
        api.as("app").body(List.of(Map.of("type", "EMAIL", "value", "someone-else@example.dk")))
                .put("/v1/subjects/anna/identifiers").then().statusCode(409);
        api.as("app").body(List.of(ANNA_EMAIL)).put("/v1/subjects/bo/identifiers").then().statusCode(409)
                .body("type", equalTo("https://samtykke.io/problems/subject-erased"));
        api.as("app").get("/v1/subjects/bo/identifiers").then().statusCode(200).body("identifiers", hasSize(0));
        api.asSubject("anna").body(Map.of("type", "ACCESS")).post("/v1/subjects/anna/requests").then().statusCode(409);
        api.asSubject("anna").body(Map.of()).post("/v1/subjects/anna/objection").then().statusCode(409);
        // an import may not attach the erased person's address to another subject id either
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "identifiers", List.of(Map.of("type", "EMAIL", "value", " Anna@Example.dk"))))
                .post("/v1/subjects/anna-2/consents").then().statusCode(409).body("type", equalTo("https://samtykke.io/problems/subject-erased"));
        assertEquals(0, api.records("anna") + api.records("anna-2"));
        assertEquals(0, api.count("select count(*) from subject_identifier where tenant_id = ? and subject_id in ('anna', 'anna-2')", api.tenant));
        // ... but the person may, signing up again as a new account with their own token
        api.asSubject("anna-2").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "identifiers", List.of(ANNA_EMAIL)))
                .post("/v1/subjects/anna-2/consents").then().statusCode(201);
        assertEquals(1, api.count("select count(*) from erased_identifier where tenant_id = ?", api.tenant), "the address is free again");
        // the erased request takes no more steps
        api.as("dpo").body(Map.of("status", "REJECTED", "reason", "x")).post("/v1/requests/" + id + "/status").then()
                .statusCode(409).contentType("application/problem+json");
    }

    @Test
    void theInactivityRetentionErasesSubjectsWithoutActivityForTheTenantsPeriodOnce() {
        Api api = Api.tenant("inactive-erasure");
        api.consentPurpose("ride-offers", "PUSH");
        api.change("dormant", "ride-offers", "GRANT").statusCode(201);
        api.change("active", "ride-offers", "GRANT").statusCode(201);
        api.as("app").body(List.of(Map.of("type", "EMAIL", "value", "address-only@example.dk")))
                .put("/v1/subjects/address-only/identifiers").then().statusCode(200);
        api.execute("update subject set updated_at = now() - interval '366 days' where tenant_id = ? and subject_id in ('dormant', 'address-only')", api.tenant);
        api.execute("update subject set updated_at = now() - interval '364 days' where tenant_id = ? and subject_id = 'active'", api.tenant);
        Api other = Api.withConsentPurpose("ride-offers", "PUSH");
        other.change("dormant", "ride-offers", "GRANT").statusCode(201);
        other.execute("update subject set updated_at = now() - interval '1000 days' where tenant_id = ?", other.tenant);

        // two rounds at once (as two instances would) and one after: one erasure each of the dormant person and of
        // the one known only by an address since as long
        List<Integer> erased = io.smallrye.mutiny.Uni.join().all(retention.run(), retention.run()).andCollectFailures()
                .await().atMost(Duration.ofSeconds(30));
        assertEquals(2, erased.stream().mapToInt(Integer::intValue).sum() + retention.run().await().atMost(Duration.ofSeconds(30)));

        api.as("app").get("/v1/subjects/dormant/consents").then().body("consents", hasSize(0));
        api.as("app").get("/v1/subjects/active/consents").then().body("consents", hasSize(1));
        api.as("app").get("/v1/subjects/address-only/identifiers").then().body("identifiers", hasSize(0));
        // a tenant without the setting keeps them
        other.as("app").get("/v1/subjects/dormant/consents").then().body("consents", hasSize(1));
        api.change("dormant", "ride-offers", "GRANT").statusCode(409);
        api.as("dpo").queryParam("type", "ERASURE").get("/v1/requests").then().body("requests", hasSize(2))
                .body("requests.status", equalTo(List.of("COMPLETED", "COMPLETED")))
                .body("requests[0].subjectId", startsWith("~erased:")).body("requests[1].subjectId", startsWith("~erased:"));

        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS)) {
            List<SubjectEvent> events = subjectEvents.await(r -> api.tenant.equals(header(r, "ce_tenantid"))
                    && (api.tenant + "/dormant").equals(r.key()), 3, Duration.ofSeconds(30))
                    .stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.REQUEST_COMPLETED, SubjectEventType.ERASED),
                    events.subList(events.size() - 3, events.size()).stream().map(SubjectEvent::change).toList());
            assertTrue(events.stream().allMatch(e -> e.evidence().actor().type() == ActorType.SYSTEM));
        }
    }

    @Test
    void anIdentifierAttachedWhileThePersonIsErasedIsRefusedOrErasedWithThem() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 40; round++) {
                String subject = "racer-" + round;
                Map<String, Object> email = Map.of("type", "EMAIL", "value", subject + "@example.dk");
                String id = api.asSubject(subject).body(Map.of("type", "ERASURE"))
                        .post("/v1/subjects/" + subject + "/requests").then().statusCode(201).extract().path("id");
                RequestSpecification erasure = api.as("dpo").body(Map.of("status", "COMPLETED", "reason", "on request"));
                RequestSpecification attach = api.as("app").body(List.of(email));

                // both sent at once, so the attach's erasure check and insert overlap the erasure's transaction
                CountDownLatch start = new CountDownLatch(1);
                Future<ExtractableResponse<Response>> erased = clients.submit(() -> {
                    start.await();
                    return erasure.post("/v1/requests/" + id + "/status").then().extract();
                });
                Future<ExtractableResponse<Response>> attached = clients.submit(() -> {
                    start.await();
                    return attach.put("/v1/subjects/" + subject + "/identifiers").then().extract();
                });
                start.countDown();
                ExtractableResponse<Response> e = erased.get(30, TimeUnit.SECONDS);
                ExtractableResponse<Response> a = attached.get(30, TimeUnit.SECONDS);

                assertEquals(200, e.statusCode(), e.asString());
                if (a.statusCode() != 200) {
                    // refused because the erasure came first, changing nothing
                    assertEquals(409, a.statusCode(), "round " + round + ": " + a.asString());
                    assertEquals("application/problem+json", a.contentType());
                    assertEquals("https://samtykke.io/problems/subject-erased", a.jsonPath().getString("type"));
                }
                // either way the erased person's address is gone: attached before the erasure deleted it, or never
                assertEquals(0, api.count("select count(*) from subject_identifier where tenant_id = ? and subject_id = ?",
                        api.tenant, subject), "round " + round + ": the attach answered " + a.statusCode()
                        + ", and the erased person's address is stored after the erasure");
                api.as("app").get("/v1/subjects/" + subject + "/identifiers").then().statusCode(200)
                        .body("identifiers", hasSize(0));
                api.as("app").body(Map.of("identifier", email,
                                "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                        .post("/v1/identifiers/consents").then().statusCode(404);
            }
        } finally {
            clients.shutdownNow();
        }
    }
}
