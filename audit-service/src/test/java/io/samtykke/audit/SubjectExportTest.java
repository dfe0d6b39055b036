package io.samtykke.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * audit-service answers an export-requested subject event with its part of the person's export (their entries with
 * inclusion proofs, the checkpoint, consent receipts) on samtykke.subject.events.v1, and logs export parts (its own and
 * other services') by their metadata and hash only, never their data.
 */
@QuarkusTest
class SubjectExportTest extends TenantTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anExportRequestIsAnsweredWithThePersonsEntriesAndProofsAndPartsAreLoggedWithoutTheirData() throws Exception {
        ConsentEvent grant = Events.send(Events.consent(auditor.tenant, "ada", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "bo", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(2);

        UUID requestId = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        SubjectEvent request = new SubjectEvent(UUID.randomUUID(), auditor.tenant, "ada", 1, SubjectEventType.EXPORT_REQUESTED, null,
                new SubjectEvent.Request(requestId, SubjectRequestType.ACCESS, SubjectRequestStatus.IN_PROGRESS, now,
                        now.plus(Duration.ofDays(30)), null),
                null, new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.AGENT, "dpo"), null, null, null), now, now);
        try (TopicReader reader = new TopicReader(Topics.SUBJECT_EVENTS)) {
            send(Topics.SUBJECT_EVENTS, request.partitionKey(), EventJson.write(request),
                    CloudEventHeaders.forSubjectEvent(request, "/samtykke/consent-service", null));
            List<ConsumerRecord<String, byte[]>> records = reader.await(r -> (auditor.tenant + "/ada").equals(r.key())
                    && SubjectExportPart.TYPE.equals(header(r, "ce_type")), 1, Duration.ofSeconds(30));
            records.forEach(EventContract::assertValid);
            List<SubjectExportPart> chunks = records.stream().map(r -> EventJson.read(r.value(), SubjectExportPart.class))
                    .sorted(Comparator.comparingInt(SubjectExportPart::chunk)).toList();
            assertEquals("audit-service", chunks.get(0).service());
            assertEquals(requestId, chunks.get(0).requestId());
            JsonNode part = JSON.readTree(SubjectExportPart.join(chunks.subList(0, chunks.get(0).chunks())));
            assertEquals("ada", part.get("subjectId").asText());
            assertTrue(part.at("/checkpoint/treeSize").asLong() >= 2, part.get("checkpoint").toString());
            JsonNode first = part.at("/entries/0");
            assertEquals(grant.eventId().toString(), first.get("eventId").asText());
            assertTrue(first.get("inclusionProof").isArray(), "covered by the checkpoint: with its proof");
            assertTrue(part.get("entries").size() >= 2, "the grant and the request itself");
            for (JsonNode e : part.get("entries")) {
                assertEquals("ada", e.get("subjectId").asText(), "only the person's entries");
            }
            assertEquals(grant.eventId().toString(), part.at("/receipts/0/consentReceiptID").asText());
            assertEquals(1, part.get("receipts").size());
        }

        // another service's part is logged by its metadata and hash; its data never reaches the log
        byte[] secret = "{\"identifiers\":[\"ada.private@example.dk\"]}".getBytes(StandardCharsets.UTF_8);
        SubjectExportPart chunk = SubjectExportPart.split(auditor.tenant, "ada", requestId, "preference-service", secret, now).get(0);
        send(Topics.SUBJECT_EVENTS, chunk.partitionKey(), EventJson.write(chunk), CloudEventHeaders.of(chunk.eventId(),
                "/samtykke/preference-service", SubjectExportPart.TYPE, now, null, auditor.tenant, "ada", 1,
                Schemas.SUBJECT_EXPORT_PART, null));
        List<Map<String, Object>> logged = auditor.awaitEntries(2, Map.of("type", SubjectExportPart.TYPE));
        Map<String, Object> preferencePart = logged.stream()
                .filter(e -> "preference-service".equals(((Map<?, ?>) e.get("payload")).get("service"))).findFirst().orElseThrow();
        Map<?, ?> payload = (Map<?, ?>) preferencePart.get("payload");
        assertEquals(chunk.sha256(), payload.get("sha256"));
        assertEquals(SubjectExportPart.sha256(chunk.data().getBytes(StandardCharsets.UTF_8)), payload.get("dataSha256"));
        assertFalse(payload.containsKey("data"), payload.toString());
        assertEquals("ada", preferencePart.get("subjectId"), "whose part it was, sealed under their key like any subject event");
        String read = auditor.request().queryParam("type", SubjectExportPart.TYPE).get("/v1/entries").then().statusCode(200)
                .extract().asString();
        assertFalse(read.contains(chunk.data()), "what an auditor reads holds no part's data");
    }

    private static void send(String topic, String key, String payload, Map<String, byte[]> headers) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, payload.getBytes(StandardCharsets.UTF_8));
        headers.forEach((k, v) -> r.headers().add(k, v));
        Events.send(r);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
