package io.samtykke.preference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.samtykke.preference.Api.preferences;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * preference-service answers an export-requested subject event with its part of the person's export on
 * samtykke.subject.events.v1: preferences and sends of that person only, once even when the request is redelivered.
 */
@QuarkusTest
class ExportPartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anExportRequestIsAnsweredWithThePersonsPreferencesAndSendsOnly() throws IOException {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers", "product-updates");
        api.asApp().body(Map.of("topics", List.of("ride-offers"), "quietHours", Map.of("start", "22:00", "end", "07:00"),
                "timeZone", "Europe/Copenhagen", "preferredChannel", "SMS")).put(preferences("ada")).then().statusCode(200);
        api.asApp().body(Map.of("topics", List.of("product-updates"))).put(preferences("bob")).then().statusCode(200);
        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "ada", "messageId", "m-ada-1"))
                .post("/v1/sends").then().statusCode(201);
        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "bob", "messageId", "m-bob-1"))
                .post("/v1/sends").then().statusCode(201);

        UUID requestId = UUID.randomUUID();
        try (TopicReader reader = new TopicReader(Topics.SUBJECT_EVENTS)) {
            SubjectEvent request = ConsentLedger.recordExportRequest(api.tenant, "ada", requestId);
            List<ConsumerRecord<String, byte[]>> parts = reader.await(r -> (api.tenant + "/ada").equals(r.key())
                    && SubjectExportPart.TYPE.equals(header(r, "ce_type")), 1, Duration.ofSeconds(20));
            ConsumerRecord<String, byte[]> record = parts.get(0);
            EventContract.assertValid(record);
            SubjectExportPart chunk = EventJson.read(record.value(), SubjectExportPart.class);
            assertEquals(requestId, chunk.requestId());
            assertEquals("preference-service", chunk.service());
            assertEquals("/samtykke/preference-service", header(record, "ce_source"));
            assertEquals(1, chunk.chunks());
            JsonNode part = JSON.readTree(SubjectExportPart.join(List.of(chunk)));
            assertEquals("ada", part.get("subjectId").asText());
            assertEquals(List.of("ride-offers"), JSON.convertValue(part.at("/preferences/topics"), List.class));
            assertEquals("22:00", part.at("/preferences/quietHours/start").asText());
            assertEquals("SMS", part.at("/preferences/preferredChannel").asText());
            assertEquals(1, part.get("sends").size());
            assertEquals("m-ada-1", part.at("/sends/0/messageId").asText());
            String text = new String(SubjectExportPart.join(List.of(chunk)), StandardCharsets.UTF_8);
            assertFalse(text.contains("bob") || text.contains("product-updates"), "nothing of another person: " + text);

            // a redelivered request is not answered again: once the next subject event (same partition) is applied, still one part
            ConsentLedger.publish(request);
            ConsentLedger.recordSubject(api.tenant, "ada", SubjectEventType.REQUEST_RECEIVED);
            await().atMost(Api.PATIENCE).until(() -> api.count("select count(*) from projection_subject_status"
                    + " where tenant_id = ? and subject_id = 'ada' and applied_seq = 2", api.tenant) == 1);
            long again = reader.drain(Duration.ofSeconds(1)).stream().filter(r -> (api.tenant + "/ada").equals(r.key())
                    && SubjectExportPart.TYPE.equals(header(r, "ce_type"))).count();
            assertEquals(1, again, "one part, not two");
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
