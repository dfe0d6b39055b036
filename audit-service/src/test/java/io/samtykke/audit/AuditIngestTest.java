package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.MerkleTree;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Events on the real broker become entries of their tenant's log, once each, readable by its auditors only. */
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
        assertEquals(false, entry.get("erased"));
        assertEquals(sent.occurredAt(), Instant.parse((String) entry.get("eventTime")));
        assertTrue(Instant.parse((String) entry.get("receivedAt")).isAfter(sent.occurredAt().minusSeconds(1)));
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) entry.get("payload");
        assertEquals("GRANTED", payload.get("state"));
        assertEquals("anna", payload.get("subjectId"));
        assertEquals("v1", ((Map<?, ?>) payload.get("notice")).get("version"));
        assertEquals(Map.of("ipPrefix", "192.0.2.0/24", "userAgent", "TaxaApp/5.2", "language", "da",
                "actor", Map.of("type", "SUBJECT", "id", "anna"),
                "source", Map.of("appId", "taxa-app", "platform", "ios", "appVersion", "5.2.0", "collectionPoint", "settings")),
                payload.get("evidence"));

        byte[] stored = Base64.getDecoder().decode((String) entry.get("entry"));
        assertArrayEquals(MerkleTree.leafHash(stored), Base64.getDecoder().decode((String) entry.get("leafHash")));
        LogEntry parsed = LogEntry.parse(stored);
        assertEquals(auditor.tenant, parsed.tenant());
        assertEquals(sent.eventId(), parsed.eventId());
        assertEquals(1L, parsed.subjectSeq());
    }

    @Test
    void personalValuesAreStoredOnlyAsCiphertext() throws Exception {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent sent = Events.send(Events.consent(auditor.tenant, "bertha-personal", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitEntries(1);
        try (Connection c = Auditor.DATABASE.connect();
             PreparedStatement s = c.prepareStatement("select entry, subject_ref, leaf_hash from audit_entry where tenant_id = ? and event_id = ?")) {
            s.setString(1, auditor.tenant);
            s.setObject(2, sent.eventId());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                String entry = new String(rs.getBytes(1), StandardCharsets.UTF_8);
                for (String personal : List.of("bertha-personal", "192.0.2.0", "TaxaApp")) {
                    assertFalse(entry.contains(personal), personal + " is in the stored entry: " + entry);
                }
                assertTrue(entry.contains("\"ipPrefix\":{\"sealed\":"), entry);
                assertTrue(entry.contains("\"state\":\"GRANTED\""), "the evidence itself stays readable: " + entry);
                assertFalse(rs.getString(2).contains("bertha"), "the subject is stored as a pseudonym");
                assertArrayEquals(MerkleTree.leafHash(rs.getBytes(1)), rs.getBytes(3));
            }
        }
        try (Connection c = Auditor.DATABASE.connect();
             PreparedStatement s = c.prepareStatement("select count(*) from subject_key where tenant_id = ? and wrapped_key is not null")) {
            s.setString(1, auditor.tenant);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "one data key for the one subject");
            }
        }
    }

    @Test
    void anEventDeliveredTwiceOrAlsoAsAnOptOutIsLoggedOnce() {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent first = Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1);
        Events.send(first);
        Events.send(first);
        ConsentEvent withdrawal = Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 2);
        Events.send(Events.optOut(withdrawal));
        Events.send(withdrawal);
        // one marker per topic, same key: once both are in, every copy before them on their partitions was processed
        ConsentEvent marker = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 3));
        ConsentEvent optOutMarker = Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.DENIED, 4);
        Events.send(Events.optOut(optOutMarker));

        List<Map<String, Object>> entries = auditor.awaitEntries(4);
        assertEquals(4, entries.size(), "each event once: " + entries.stream().map(e -> e.get("eventId")).toList());
        assertEquals(Set.of(first.eventId().toString(), withdrawal.eventId().toString(), marker.eventId().toString(),
                optOutMarker.eventId().toString()), Set.copyOf(entries.stream().map(e -> e.get("eventId")).toList()));
        assertEquals(List.of(0, 1, 2, 3), entries.stream().map(e -> e.get("seq")).toList(), "duplicates take no seq");
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
    void aPreferenceEventIsLoggedWithItsWholePayloadSealed() throws Exception {
        Auditor auditor = Auditor.newTenant();
        ProducerRecord<String, byte[]> preference = Events.preference(auditor.tenant, "cecilie", 1, "ride-offers");
        Events.send(preference);

        Map<String, Object> entry = auditor.awaitEntries(1).get(0);
        assertEquals("io.samtykke.preference.updated.v1", entry.get("type"));
        assertEquals("cecilie", entry.get("subjectId"));
        assertNull(entry.get("purpose"));
        assertEquals(List.of("ride-offers"), ((Map<?, ?>) ((Map<?, ?>) entry.get("payload")).get("preferences")).get("topics"));
        String stored = new String(Base64.getDecoder().decode((String) entry.get("entry")), StandardCharsets.UTF_8);
        assertTrue(stored.contains("\"data\":{\"sealed\":"), stored);
        assertFalse(stored.contains("ride-offers"), stored);
        assertEquals(Topics.PREFERENCE_EVENTS, preference.topic());
    }

    @Test
    void anAuditorOfAnotherTenantSeesNothingOfIt() {
        Auditor acme = Auditor.newTenant();
        Auditor other = Auditor.newTenant();
        ConsentEvent sent = Events.send(Events.consent(acme.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        acme.awaitEntries(1);
        acme.awaitCheckpoint(1);
        assertEquals(List.of(), other.entries(Map.of()).getList("entries"));
        assertEquals(List.of(), other.entries(Map.of("subject", "anna")).getList("entries"));
        other.request().get("/v1/entries/0").then().statusCode(404);
        other.request().queryParam("eventId", sent.eventId()).get("/v1/proofs/inclusion").then().statusCode(404);
        other.request().get("/v1/receipts/" + sent.eventId()).then().statusCode(404);
        assertEquals(0, other.checkpoint().size(), "the other tenant's log is empty");
        assertEquals(1, acme.checkpoint().size());
        String export = other.request().get("/v1/export").then().statusCode(200).extract().asString();
        assertEquals(1, export.strip().lines().count(), "only the header: " + export);
    }

    @Test
    void entriesAreFilteredBySubjectPurposeTypeAndTimeAndPagedEitherWay() {
        Auditor auditor = Auditor.newTenant();
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1, t));
        Events.send(Events.consent(auditor.tenant, "anna", "sms-offers", ConsentState.GRANTED, 2, t.plusSeconds(1)));
        ConsentEvent third = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 3, t.plusSeconds(2)));
        ConsentEvent fourth = Events.send(Events.consent(auditor.tenant, "bo", "newsletter", ConsentState.GRANTED, 1, t.plusSeconds(3)));
        auditor.awaitEntries(4);

        assertEquals(3, auditor.entries(Map.of("subject", "anna")).getList("entries").size());
        assertEquals(List.of("bo"), auditor.entries(Map.of("subject", "bo")).getList("entries.subjectId"));
        assertEquals(3, auditor.entries(Map.of("purpose", "newsletter")).getList("entries").size());
        assertEquals(List.of("anna"), auditor.entries(Map.of("type", "io.samtykke.consent.withdrawn.v1"))
                .getList("entries.subjectId"));
        assertEquals(List.of("sms-offers"), auditor.entries(Map.of("subject", "anna", "purpose", "sms-offers"))
                .getList("entries.purpose"));
        assertEquals(Set.of(third.eventId().toString(), fourth.eventId().toString()),
                Set.copyOf(auditor.entries(Map.of("from", t.plusSeconds(2).toString())).getList("entries.eventId")));
        assertEquals(2, auditor.entries(Map.of("to", t.plusSeconds(2).toString())).getList("entries").size(), "to is exclusive");
        assertEquals(List.of(third.eventId().toString()), auditor.entries(Map.of("from", t.plusSeconds(2).toString(),
                "to", t.plusSeconds(3).toString())).getList("entries.eventId"));

        var first = auditor.entries(Map.of("limit", 3));
        assertEquals(List.of(0, 1, 2), first.getList("entries.seq"));
        var second = auditor.entries(Map.of("limit", 3, "cursor", first.getString("nextCursor")));
        assertEquals(List.of(3), second.getList("entries.seq"));
        assertNull(second.getString("nextCursor"), "the last page has no cursor");

        var newest = auditor.entries(Map.of("limit", 3, "order", "desc"));
        assertEquals(List.of(3, 2, 1), newest.getList("entries.seq"));
        var older = auditor.entries(Map.of("limit", 3, "order", "desc", "cursor", newest.getString("nextCursor")));
        assertEquals(List.of(0), older.getList("entries.seq"));
        auditor.request().queryParam("cursor", first.getString("nextCursor")).queryParam("order", "desc").get("/v1/entries")
                .then().statusCode(400);
    }
}
