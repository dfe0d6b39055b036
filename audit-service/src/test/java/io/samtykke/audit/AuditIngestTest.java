package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Consent events on the real broker become entries of their tenant's log, once each, as received. */
@QuarkusTest
class AuditIngestTest {

    @Test
    void aConsentEventIsLoggedAndShownToTheAuditorOfItsTenant() throws Exception {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent sent = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));

        Map<String, Object> entry = auditor.awaitEntries(1).get(0);
        assertEquals(0, entry.get("seq"), "a tenant's log starts at 0");
        assertEquals(sent.eventId().toString(), entry.get("eventId"));
        assertEquals("io.samtykke.consent.granted.v1", entry.get("type"));
        assertEquals("anna", entry.get("subjectId"));
        assertEquals("newsletter", entry.get("purpose"));
        assertEquals(sent.occurredAt(), Instant.parse((String) entry.get("eventTime")));
        assertTrue(Instant.parse((String) entry.get("receivedAt")).isAfter(sent.occurredAt().minusSeconds(1)));
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) entry.get("payload");
        assertEquals("GRANTED", payload.get("state"));
        assertEquals("anna", payload.get("subjectId"));
        assertEquals("v1", ((Map<?, ?>) payload.get("notice")).get("version"));

        try (Connection c = Auditor.database();
             PreparedStatement s = c.prepareStatement("""
                     select payload, headers ->> 'ce_tenantid', headers ->> 'content-type', topic
                     from audit_entry where tenant_id = ? and event_id = ?""")) {
            s.setString(1, auditor.tenant);
            s.setObject(2, sent.eventId());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(EventJson.write(sent).getBytes(StandardCharsets.UTF_8), rs.getBytes(1),
                        "the payload is kept byte for byte");
                assertEquals(auditor.tenant, rs.getString(2));
                assertEquals("application/json", rs.getString(3));
                assertEquals(Topics.CONSENT_EVENTS, rs.getString(4));
            }
        }
    }

    @Test
    void anEventDeliveredTwiceIsLoggedOnce() {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent first = Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1);
        Events.send(first);
        Events.send(first);
        // same key, same partition: once this one is in, both copies of the first have been processed
        ConsentEvent marker = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 2));

        List<Map<String, Object>> entries = auditor.awaitEntries(2);
        assertEquals(List.of(first.eventId().toString(), marker.eventId().toString()),
                entries.stream().map(e -> e.get("eventId")).toList());
        assertEquals(List.of(0, 1), entries.stream().map(e -> e.get("seq")).toList(), "the duplicate takes no seq");
    }

    @Test
    void seqIsDenseFromZeroInArrivalOrder() {
        Auditor auditor = Auditor.newTenant();
        List<ConsentState> states = List.of(ConsentState.GRANTED, ConsentState.WITHDRAWN, ConsentState.GRANTED,
                ConsentState.DENIED);
        for (int i = 0; i < states.size(); i++) {
            Events.send(Events.consent(auditor.tenant, "bo", "sms-offers", states.get(i), i + 1));
        }
        List<Map<String, Object>> entries = auditor.awaitEntries(4);
        assertEquals(List.of(0, 1, 2, 3), entries.stream().map(e -> e.get("seq")).toList());
        assertEquals(List.of(1, 2, 3, 4), entries.stream().map(e -> ((Map<?, ?>) e.get("payload")).get("subjectSeq")).toList());
    }

    @Test
    void anAuditorOfAnotherTenantSeesNothingOfIt() {
        Auditor acme = Auditor.newTenant();
        Auditor other = Auditor.newTenant();
        Events.send(Events.consent(acme.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        acme.awaitEntries(1);
        assertEquals(List.of(), other.entries(Map.of()).getList("entries"));
        assertEquals(List.of(), other.entries(Map.of("subject", "anna")).getList("entries"));
    }

    @Test
    void aRecordThatIsNotACloudEventIsSkippedAndLaterEventsStillArrive() {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent event = Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.GRANTED, 1);
        ProducerRecord<String, byte[]> noId = Events.record(event);
        noId.headers().remove("ce_id");
        Events.send(noId);
        ProducerRecord<String, byte[]> notJson = Events.record(Events.consent(auditor.tenant, "cy", "newsletter",
                ConsentState.GRANTED, 1));
        Events.send(new ProducerRecord<>(notJson.topic(), null, notJson.key(), "<consent/>".getBytes(StandardCharsets.UTF_8),
                notJson.headers()));
        ConsentEvent valid = Events.send(Events.consent(auditor.tenant, "cy", "newsletter", ConsentState.WITHDRAWN, 2));

        List<Map<String, Object>> entries = auditor.awaitEntries(1);
        assertEquals(1, entries.size());
        assertEquals(valid.eventId().toString(), entries.get(0).get("eventId"));
        assertEquals(0, entries.get(0).get("seq"), "skipped records take no seq");
    }

    @Test
    void entriesAreFilteredBySubjectPurposeAndTypeAndPagedWithACursor() {
        Auditor auditor = Auditor.newTenant();
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "anna", "sms-offers", ConsentState.GRANTED, 2));
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 3));
        Events.send(Events.consent(auditor.tenant, "bo", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitEntries(4);

        assertEquals(3, auditor.entries(Map.of("subject", "anna")).getList("entries").size());
        assertEquals(List.of("bo"), auditor.entries(Map.of("subject", "bo")).getList("entries.subjectId"));
        assertEquals(3, auditor.entries(Map.of("purpose", "newsletter")).getList("entries").size());
        assertEquals(List.of("anna"), auditor.entries(Map.of("type", "io.samtykke.consent.withdrawn.v1"))
                .getList("entries.subjectId"));
        assertEquals(List.of("sms-offers"), auditor.entries(Map.of("subject", "anna", "purpose", "sms-offers"))
                .getList("entries.purpose"));

        var first = auditor.entries(Map.of("limit", 3));
        assertEquals(List.of(0, 1, 2), first.getList("entries.seq"));
        String cursor = first.getString("nextCursor");
        var second = auditor.entries(Map.of("limit", 3, "cursor", cursor));
        assertEquals(List.of(3), second.getList("entries.seq"));
        assertNull(second.getString("nextCursor"), "the last page has no cursor");
    }
}
