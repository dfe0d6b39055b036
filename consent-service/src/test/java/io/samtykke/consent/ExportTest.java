package io.samtykke.consent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.samtykke.consent.Api.header;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export of an ACCESS request: started, it publishes export-requested; the other services' parts (published here as
 * they would) are kept; once all are in it is ready; the download holds consent-service's part (identifiers decrypted)
 * and the others byte for byte, completes the request, and is recorded as an event without the content.
 */
@QuarkusTest
class ExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAccessRequestIsAnsweredWithOneDocumentFromEveryServicesPart() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of(
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "identifiers", List.of(Map.of("type", "EMAIL", "value", "ada@example.dk"))))
                .post("/v1/subjects/ada/consents").then().statusCode(201);
        api.change("ada", "newsletter", "WITHDRAW").statusCode(201);
        api.change("bo", "newsletter", "GRANT").statusCode(201);
        String id = api.asSubject("ada").body(Map.of("type", "ACCESS")).post("/v1/subjects/ada/requests").then().statusCode(201)
                .extract().path("id");
        UUID requestId = UUID.fromString(id);
        // not started: no export
        api.asSubject("ada").get("/v1/requests/" + id + "/export").then().statusCode(404).contentType("application/problem+json");
        api.as("dpo").body(Map.of("status", "IN_PROGRESS")).post("/v1/requests/" + id + "/status").then().statusCode(200);
        api.as("dpo").get("/v1/requests/" + id + "/export").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("preference-service")).body("detail", containsString("audit-service"));

        byte[] preferences = "{\"service\":\"preference-service\",\"preferences\":{\"topics\":[\"rides\"]}}".getBytes(StandardCharsets.UTF_8);
        byte[] audit = ("{\"service\":\"audit-service\",\"entries\":\"" + random(900_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        List<SubjectExportPart> auditChunks = SubjectExportPart.split(api.tenant, "ada", requestId, "audit-service", audit, now);
        assertTrue(auditChunks.size() > 1, "a part in several chunks");
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // a part claiming another person, or unrelated to any request, is dropped
            send(producer, SubjectExportPart.split(api.tenant, "bo", requestId, "preference-service",
                    "{\"bo\":true}".getBytes(StandardCharsets.UTF_8), now));
            send(producer, SubjectExportPart.split(api.tenant, "ada", UUID.randomUUID(), "preference-service", preferences, now));
            send(producer, SubjectExportPart.split(api.tenant, "ada", requestId, "preference-service", preferences, now));
            send(producer, auditChunks.subList(0, auditChunks.size() - 1));
            Thread.sleep(1000);
            api.as("dpo").get("/v1/requests/" + id + "/export").then().statusCode(409).body("detail", containsString("audit-service"));
            send(producer, auditChunks.subList(auditChunks.size() - 1, auditChunks.size()));
            send(producer, auditChunks); // redelivered: kept once
        }

        ExtractableResponse<Response> download = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.asSubject("ada").get("/v1/requests/" + id + "/export").then().extract(), r -> r.statusCode() == 200);
        assertTrue(download.contentType().startsWith("application/json"));
        assertTrue(download.header("Content-Disposition").startsWith("attachment; filename=\"export-ada-"), download.header("Content-Disposition"));
        JsonNode doc = JSON.readTree(download.asByteArray());
        assertEquals("io.samtykke.subject-export", doc.get("format").asText());
        assertEquals(1, doc.get("formatVersion").asInt());
        assertEquals("ada", doc.get("subjectId").asText());
        assertEquals("ACCESS", doc.get("requestType").asText());
        JsonNode consent = doc.at("/parts/consent-service");
        assertEquals("ada@example.dk", consent.at("/identifiers/0/value").asText(), "decrypted");
        assertEquals("WITHDRAWN", consent.at("/consents/0/state").asText());
        assertEquals(2, consent.get("history").size(), "every record with its evidence");
        assertEquals("GRANT", consent.at("/history/0/action").asText());
        assertFalse(consent.at("/history/0/actor/type").isMissingNode(), "with its evidence: " + consent.at("/history/0"));
        assertEquals(id, consent.at("/requests/0/id").asText());
        assertEquals(JSON.readTree(preferences), doc.at("/parts/preference-service"));
        assertEquals(JSON.readTree(audit), doc.at("/parts/audit-service"));
        assertFalse(new String(download.asByteArray(), StandardCharsets.UTF_8).contains("\"bo\""), "nothing of another person");

        api.as("dpo").get("/v1/requests/" + id).then().statusCode(200).body("status", equalTo("COMPLETED"))
                .body("closingReason", containsString("export delivered"));
        // another person and another tenant find nothing
        api.asSubject("bo").get("/v1/requests/" + id + "/export").then().statusCode(404).contentType("application/problem+json");
        Api.newTenant().as("dpo").get("/v1/requests/" + id + "/export").then().statusCode(404);
        api.as("app").get("/v1/requests/" + id + "/export").then().statusCode(403);
        // the DPO may download it again: recorded, the request stays completed
        api.as("dpo").get("/v1/requests/" + id + "/export").then().statusCode(200);

        try (TopicReader reader = new TopicReader(Topics.SUBJECT_EVENTS)) {
            List<SubjectEvent> events = reader.await(r -> api.tenant.equals(header(r, "ce_tenantid"))
                            && !SubjectExportPart.TYPE.equals(header(r, "ce_type")), 7, Duration.ofSeconds(20)).stream()
                    .map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.REQUEST_STARTED, SubjectEventType.EXPORT_REQUESTED,
                    SubjectEventType.EXPORT_READY, SubjectEventType.EXPORTED, SubjectEventType.REQUEST_COMPLETED,
                    SubjectEventType.EXPORTED), events.stream().map(SubjectEvent::change).toList());
            assertEquals("SYSTEM", events.get(3).evidence().actor().type().name());
            assertTrue(events.get(3).reason().contains("audit-service (" + audit.length + " bytes"), events.get(3).reason());
            assertEquals("SUBJECT", events.get(4).evidence().actor().type().name(), "the person downloaded it first");
            assertEquals("AGENT", events.get(6).evidence().actor().type().name());
            assertTrue(events.get(4).reason().contains("sha256"), events.get(4).reason());
            assertFalse(EventJson.write(events.get(4)).contains("ada@example.dk"), "the content is not in the event");
        }
    }

    private static String random(int length) {
        Random random = new Random(11);
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        return s.toString();
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<SubjectExportPart> chunks) throws Exception {
        for (SubjectExportPart c : chunks) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.SUBJECT_EVENTS, c.partitionKey(),
                    EventJson.write(c).getBytes(StandardCharsets.UTF_8));
            CloudEventHeaders.of(c.eventId(), "/samtykke/" + c.service(), SubjectExportPart.TYPE, c.producedAt(), null,
                    c.tenantId(), c.subjectId(), c.chunk(), Schemas.SUBJECT_EXPORT_PART, null).forEach((k, v) -> r.headers().add(k, v));
            producer.send(r).get();
        }
    }
}
