package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records that are not valid events go to the dead-letter topic with the reason; nothing valid is held up or skipped. */
@QuarkusTest
class DeadLetterTest {

    @Test
    void recordsThatBreakTheContractAreDeadLetteredWithTheReasonAndLaterEventsStillArrive() {
        Auditor auditor = Auditor.newTenant();
        String key = auditor.tenant + "/cy";

        ProducerRecord<String, byte[]> noId = Events.record(Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.GRANTED, 1));
        noId.headers().remove("ce_id");
        Events.send(noId);
        ProducerRecord<String, byte[]> xml = Events.record(Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.GRANTED, 1));
        Events.send(new ProducerRecord<>(xml.topic(), null, key, "<consent/>".getBytes(StandardCharsets.UTF_8), xml.headers()));
        ProducerRecord<String, byte[]> invalid = Events.record(Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.GRANTED, 1));
        byte[] whim = new String(invalid.value(), StandardCharsets.UTF_8).replace("\"legalBasis\":\"CONSENT\"", "\"legalBasis\":\"WHIM\"")
                .getBytes(StandardCharsets.UTF_8);
        Events.send(new ProducerRecord<>(invalid.topic(), null, key, whim, invalid.headers()));
        ConsentEvent valid = Events.send(Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.WITHDRAWN, 2));

        // the log shows each gap instead of hiding it: an entry per refused record, with where it was and why
        List<Map<String, Object>> entries = auditor.awaitEntries(4);
        assertEquals(4, entries.size());
        assertEquals(List.of(0, 1, 2, 3), entries.stream().map(e -> e.get("seq")).toList(), "dense seqs");
        List<Map<String, Object>> refusals = entries.stream()
                .filter(e -> io.samtykke.audit.ingest.EventIngest.REFUSED_TYPE.equals(e.get("type"))).toList();
        assertEquals(3, refusals.size(), entries.toString());
        assertEquals(List.of(valid.eventId().toString()), entries.stream()
                .filter(e -> !refusals.contains(e)).map(e -> e.get("eventId")).toList());
        for (Map<String, Object> refusal : refusals) {
            Map<?, ?> data = (Map<?, ?>) refusal.get("payload");
            assertEquals(Topics.CONSENT_EVENTS, data.get("topic"));
            assertTrue(data.get("reason") instanceof String && !((String) data.get("reason")).isEmpty(), data.toString());
            assertTrue(data.get("offset") instanceof Number, data.toString());
            assertEquals(null, refusal.get("subjectId"), "a refusal names no person");
            assertEquals(null, data.get("evidence"), "and holds nothing of the refused payload");
        }
        assertTrue(refusals.stream().anyMatch(r -> ((Map<?, ?>) r.get("payload")).get("reason").equals("the payload is not JSON")));
        // and it verifies like every entry, once a checkpoint covers all four (within the 1 s target)
        auditor.awaitCheckpoint(4);
        assertTrue(auditor.verify(auditor.export(Map.of()), auditor.checkpointNote()).valid());

        try (TopicReader dlq = new TopicReader(Topics.deadLetter("audit-service"))) {
            List<ConsumerRecord<String, byte[]>> letters = dlq.await(r -> key.equals(r.key()), 3, Duration.ofSeconds(15));
            assertEquals(List.of("missing or non-text CloudEvents headers [ce_id]", "the payload is not JSON"),
                    letters.subList(0, 2).stream().map(DeadLetterTest::reason).toList());
            assertTrue(reason(letters.get(2)).startsWith("the payload does not match https://samtykke.io/schemas/consent-event.v1.json"),
                    reason(letters.get(2)));
            assertTrue(reason(letters.get(2)).contains("legalBasis"), reason(letters.get(2)));
            for (ConsumerRecord<String, byte[]> letter : letters) {
                assertEquals(Topics.CONSENT_EVENTS, header(letter, "dead-letter-topic"));
                assertTrue(header(letter, "dead-letter-offset").matches("[0-9]+"));
            }
            assertArrayEquals(whim, letters.get(2).value(), "the record as it was received");
            assertEquals(auditor.tenant, header(letters.get(2), "ce_tenantid"), "with its own headers");
        }
    }

    private static String reason(ConsumerRecord<String, byte[]> r) {
        return header(r, "dead-letter-reason");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
