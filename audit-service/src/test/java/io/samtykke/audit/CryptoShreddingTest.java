package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Erasure by destroying a person's data key: they become unreadable, the log stays whole and verifiable. */
@QuarkusTest
class CryptoShreddingTest extends TenantTest {

    @Test
    void destroyingAPersonsKeyErasesTheirPersonalValuesWhileEveryEntryStillVerifies() throws Exception {
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "bo", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 2));
        auditor.awaitEntries(3);
        Checkpoint before = auditor.awaitCheckpoint(3);
        List<Map<String, Object>> entriesBefore = auditor.entries(Map.of()).getList("entries");

        auditor.bearer("dpo-1", "dpo").delete("/v1/subjects/anna/key").then().statusCode(204);

        List<Map<String, Object>> annas = auditor.entries(Map.of("subject", "anna")).getList("entries");
        assertEquals(2, annas.size(), "the evidence stays: the entries are still found by the person's pseudonym");
        for (Map<String, Object> entry : annas) {
            assertEquals("erased", entry.get("subjectId"));
            assertEquals(true, entry.get("erased"));
            Map<?, ?> payload = (Map<?, ?>) entry.get("payload");
            assertEquals("erased", payload.get("subjectId"));
            Map<?, ?> evidence = (Map<?, ?>) payload.get("evidence");
            assertEquals("erased", evidence.get("ipPrefix"));
            assertEquals("erased", evidence.get("userAgent"));
            assertEquals("erased", ((Map<?, ?>) evidence.get("actor")).get("id"));
            assertEquals("SUBJECT", ((Map<?, ?>) evidence.get("actor")).get("type"), "what is not personal stays readable");
            assertEquals("newsletter", payload.get("purpose"));
        }
        assertEquals(List.of("GRANTED", "WITHDRAWN"), annas.stream().map(e -> ((Map<?, ?>) e.get("payload")).get("state")).toList());
        Map<String, Object> bos = auditor.entries(Map.of("subject", "bo")).getList("entries", Map.class).get(0);
        assertEquals("bo", bos.get("subjectId"), "other people are untouched");
        assertEquals(false, bos.get("erased"));

        List<Map<String, Object>> entriesAfter = auditor.entries(Map.of()).getList("entries");
        assertEquals(entriesBefore.stream().map(e -> e.get("entry")).toList(), entriesAfter.stream().map(e -> e.get("entry")).toList(),
                "not one stored byte changed");
        Checkpoint after = auditor.checkpoint();
        assertEquals(3, after.size());
        assertArrayEquals(before.rootHash(), after.rootHash());
        ExportVerifier.Result verified = auditor.verify(auditor.export(Map.of()), null);
        assertTrue(verified.valid(), verified.message());

        try (Connection c = Auditor.DATABASE.connect();
             PreparedStatement s = c.prepareStatement("select count(*) from subject_key where tenant_id = ? and wrapped_key is not null")) {
            s.setString(1, auditor.tenant);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertEquals(1, rs.getInt(1), "only bo's key is left");
            }
        }
    }

    @Test
    void theErasedEventOfAPersonShredsTheirKeyOnceWhileTheLogStillVerifies() {
        Events.send(Events.consent(auditor.tenant, "dora", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "emil", "newsletter", ConsentState.GRANTED, 1));
        var erased = Events.erased(auditor.tenant, "dora", 1, io.samtykke.contract.Topics.SUBJECT_EVENTS);
        Events.send(erased);
        Events.send(new org.apache.kafka.clients.producer.ProducerRecord<>(io.samtykke.contract.Topics.CONSENT_OPTOUTS, null,
                erased.key(), erased.value(), erased.headers()));
        auditor.awaitEntries(3);
        auditor.awaitCheckpoint(3);

        List<Map<String, Object>> doras = auditor.entries(Map.of("subject", "dora")).getList("entries");
        assertEquals(2, doras.size(), "the consent and the erasure, the opt-out copy logged once");
        for (Map<String, Object> entry : doras) {
            assertEquals("erased", entry.get("subjectId"));
            assertEquals(true, entry.get("erased"));
        }
        assertEquals("io.samtykke.subject.erased.v1", doras.get(1).get("type"));
        Map<?, ?> evidence = (Map<?, ?>) ((Map<?, ?>) doras.get(0).get("payload")).get("evidence");
        assertEquals("erased", evidence.get("ipPrefix"));
        assertEquals("emil", auditor.entries(Map.of("subject", "emil")).getList("entries", Map.class).get(0).get("subjectId"));
        ExportVerifier.Result verified = auditor.verify(auditor.export(Map.of()), null);
        assertTrue(verified.valid(), verified.message());
    }

    @Test
    void eventsAboutAnErasedPersonArrivingLaterKeepNoPersonalValues() {
        auditor.bearer("dpo-1", "dpo").delete("/v1/subjects/cecilie/key").then().statusCode(204);
        auditor.bearer("dpo-1", "dpo").delete("/v1/subjects/cecilie/key").then().statusCode(204);
        ConsentEvent late = Events.send(Events.consent(auditor.tenant, "cecilie", "newsletter", ConsentState.WITHDRAWN, 7));

        Map<String, Object> entry = auditor.awaitEntries(1).get(0);
        assertEquals(late.eventId().toString(), entry.get("eventId"));
        assertEquals("erased", entry.get("subjectId"));
        String stored = new String(Base64.getDecoder().decode((String) entry.get("entry")), StandardCharsets.UTF_8);
        assertTrue(stored.contains("\"ipPrefix\":{\"erased\":true}"), stored);
        assertFalse(stored.contains("sealed"), "nothing is sealed for a person without a key: " + stored);
        assertEquals("WITHDRAWN", ((Map<?, ?>) entry.get("payload")).get("state"));
        auditor.awaitCheckpoint(1);
        ExportVerifier.Result verified = auditor.verify(auditor.export(Map.of()), null);
        assertTrue(verified.valid(), verified.message());
    }

    @Test
    void onlyADpoMayDestroyAKey() {
        for (String role : List.of("auditor", "admin", "subject", "app")) {
            auditor.bearer("someone", role).delete("/v1/subjects/anna/key").then().statusCode(403)
                    .body("type", equalTo("https://samtykke.io/problems/forbidden"));
        }
    }
}
