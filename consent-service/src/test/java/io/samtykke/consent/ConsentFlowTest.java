package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wiring end to end: an HTTP write lands in PostgreSQL and reaches a real Kafka consumer. */
@QuarkusTest
class ConsentFlowTest {

    @Test
    void grantIsStoredAndPublishedToKafka() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");

        String eventId = api.as("app").body(Map.of(
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "evidence", Map.of("source", Map.of("appId", "taxa-app", "platform", "ios",
                                "appVersion", "5.2.0", "collectionPoint", "onboarding"), "language", "da")))
                .post("/v1/subjects/anna/consents")
                .then().statusCode(201)
                .header("ETag", "\"1\"")
                .body("records", hasSize(1))
                .body("records[0].state", equalTo("GRANTED"))
                .body("records[0].subjectSeq", equalTo(1))
                .body("records[0].eventId", matchesPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
                .extract().path("records[0].eventId");

        assertEquals(1, api.records("anna"), "one immutable record in PostgreSQL");

        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            ConsumerRecord<String, byte[]> record = reader.await(r -> eventId.equals(header(r, "ce_id")), 1,
                    Duration.ofSeconds(20)).get(0);
            assertEquals(api.tenant + "/anna", record.key());
            assertEquals("io.samtykke.consent.granted.v1", header(record, "ce_type"));
            assertEquals("1", header(record, "ce_subjectseq"));
            assertEquals(api.tenant, header(record, "ce_tenantid"));
        }
    }
}
