package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class IdempotencyAndEtagTest {

    private static Map<String, Object> grant(String purpose) {
        return Map.of("changes", List.of(Map.of("purpose", purpose, "action", "GRANT", "noticeVersion", "v1")));
    }

    @Test
    void aRetriedRequestReturnsTheFirstAnswerAndWritesNothing() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String key = "\"" + UUID.randomUUID() + "\"";
        String first = api.as("app").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/anna/consents").then().statusCode(201).extract().asString();
        String second = api.as("app").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/anna/consents").then().statusCode(201)
                .header("Idempotent-Replayed", "true").header("ETag", "\"1\"").extract().asString();
        assertEquals(first, second);
        assertEquals(1, api.records("anna"));
        // unquoted keys are accepted too and mean the same key
        api.as("app").header("Idempotency-Key", key.replace("\"", "")).body(grant("newsletter"))
                .post("/v1/subjects/anna/consents").then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(1, api.records("anna"));
    }

    @Test
    void aRetrySentWhileTheFirstRequestIsStillRunningGetsTheFirstAnswer() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("dora", "newsletter", "DENY").statusCode(201);
        String key = UUID.randomUUID().toString();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try (Connection blocker = Api.DATABASE.connect()) {
            // hold dora's row, so the first request and its retry are both in flight at the same time
            blocker.setAutoCommit(false);
            try (PreparedStatement lock = blocker.prepareStatement("select seq from subject where tenant_id = ? and subject_id = 'dora' for update")) {
                lock.setString(1, api.tenant);
                lock.executeQuery().close();
            }
            Callable<ExtractableResponse<Response>> send = () -> api.as("app").header("Idempotency-Key", key).header("If-Match", "\"1\"")
                    .body(grant("newsletter")).post("/v1/subjects/dora/consents").then().extract();
            Future<ExtractableResponse<Response>> first = clients.submit(send);
            awaitWritesWaitingForTheSubjectLock(1);
            Future<ExtractableResponse<Response>> retry = clients.submit(send);
            awaitWritesWaitingForTheSubjectLock(2);
            blocker.commit();
            ExtractableResponse<Response> a = first.get(20, TimeUnit.SECONDS);
            ExtractableResponse<Response> b = retry.get(20, TimeUnit.SECONDS);
            assertEquals(201, a.statusCode(), a.asString());
            assertEquals(201, b.statusCode(), "the retry is answered like the first, not with 412 or 409: " + b.asString());
            assertEquals(a.jsonPath().getString("records[0].eventId"), b.jsonPath().getString("records[0].eventId"));
            assertEquals(2, api.records("dora"), "the deny and one grant: the retry wrote nothing");
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefused() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.consentPurpose("sms-offers", "SMS");
        String key = UUID.randomUUID().toString();
        api.as("app").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/bob/consents").then().statusCode(201);
        api.as("app").header("Idempotency-Key", key).body(grant("sms-offers"))
                .post("/v1/subjects/bob/consents").then().statusCode(422)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/idempotency-key-reused"));
        assertEquals(1, api.records("bob"));
    }

    @Test
    void keysAreScopedToTheClient() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String key = UUID.randomUUID().toString();
        api.as("app", "app-one").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/cleo/consents").then().statusCode(201);
        api.as("app", "app-two").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/cleo/consents").then().statusCode(201)
                .body("subjectSeq", equalTo(2));
    }

    @Test
    void ifMatchPreventsLostUpdates() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String etag = api.as("app").get("/v1/subjects/dan/consents").then().statusCode(200)
                .header("ETag", "\"0\"").extract().header("ETag");
        api.as("app").header("If-Match", etag).body(grant("newsletter"))
                .post("/v1/subjects/dan/consents").then().statusCode(201).header("ETag", "\"1\"");
        // a second screen still holding the old ETag loses, and nothing is written
        api.as("app").header("If-Match", etag).body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/subjects/dan/consents").then().statusCode(412)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/precondition-failed"));
        assertEquals(1, api.records("dan"));
        api.as("app").header("If-Match", "\"1\"").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/subjects/dan/consents").then().statusCode(201).header("ETag", "\"2\"");
    }

    @Test
    void concurrentWritesToOneSubjectGetDenseSequenceNumbers() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        int n = 20;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Integer>> futures = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            String action = i % 2 == 0 ? "GRANT" : "WITHDRAW";
            futures.add(pool.submit(() -> api.change("eva", "newsletter", action).extract().statusCode()));
        }
        for (var f : futures) {
            assertEquals(201, f.get());
        }
        pool.shutdown();
        assertEquals(n, api.records("eva"));
        assertEquals(n, api.count("select count(distinct subject_seq) from consent_record where tenant_id = ? and subject_id = 'eva' and subject_seq between 1 and ?",
                api.tenant, n));
    }

    /** Waits until {@code count} writes are in flight, waiting in PostgreSQL for a subject's row lock. */
    private static void awaitWritesWaitingForTheSubjectLock(int count) {
        await(count + " writes waiting for the subject's row lock").atMost(Duration.ofSeconds(20))
                .until(() -> Api.DATABASE.count("""
                        select count(*) from pg_stat_activity
                        where datname = 'consent' and wait_event_type = 'Lock' and query like '%insert into subject%'"""), n -> n == count);
    }
}
