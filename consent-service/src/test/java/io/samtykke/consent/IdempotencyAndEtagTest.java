package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class IdempotencyAndEtagTest {

    private static Map<String, Object> grant(String purpose) {
        return Map.of("changes", List.of(Map.of("purpose", purpose, "action", "GRANT", "noticeVersion", "v1")));
    }

    @Test
    void aRetriedRequestReturnsTheFirstAnswerAndWritesNothing() {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
    void theSameKeyWithAnotherBodyIsRefused() {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
        String key = UUID.randomUUID().toString();
        api.as("app", "app-one").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/cleo/consents").then().statusCode(201);
        api.as("app", "app-two").header("Idempotency-Key", key).body(grant("newsletter"))
                .post("/v1/subjects/cleo/consents").then().statusCode(201)
                .body("subjectSeq", equalTo(2));
    }

    @Test
    void ifMatchPreventsLostUpdates() {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
}
