package io.samtykke.contract;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CloudEvents 1.0 Kafka protocol binding, binary content mode, as CloudEventHeaders writes it. */
class CloudEventHeadersTest {

    private static final String SOURCE = "/samtykke/consent-service";
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aConsentEventCarriesEveryRequiredAttributeAndOurExtensions() {
        ConsentEvent e = SampleEvents.fullGrant();
        Map<String, String> h = strings(CloudEventHeaders.forEvent(e, SOURCE, TRACEPARENT));
        assertEquals("1.0", h.get("ce_specversion"));
        assertEquals(e.eventId().toString(), h.get("ce_id"));
        assertEquals(SOURCE, h.get("ce_source"));
        assertEquals("io.samtykke.consent.granted.v1", h.get("ce_type"));
        assertEquals(e.occurredAt(), OffsetDateTime.parse(h.get("ce_time"), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        assertEquals("newsletter", h.get("ce_subject"));
        assertEquals(Schemas.CONSENT_EVENT, h.get("ce_dataschema"));
        assertEquals("acme", h.get("ce_tenantid"));
        assertEquals("1", h.get("ce_subjectseq"));
        assertEquals("acme/user-42", h.get("ce_partitionkey"));
        assertEquals(e.partitionKey(), h.get("ce_partitionkey"), "partitionkey must equal the record key");
        assertEquals(TRACEPARENT, h.get("ce_traceparent"));
        assertEquals("application/json", h.get("content-type"));
    }

    @Test
    void theContentTypeIsTheKafkaHeaderNotACloudEventsAttribute() {
        Map<String, byte[]> h = CloudEventHeaders.forEvent(SampleEvents.fullGrant(), SOURCE, null);
        assertFalse(h.containsKey("ce_datacontenttype"));
        assertEquals("application/json", new String(h.get(CloudEventHeaders.KAFKA_CONTENT_TYPE), StandardCharsets.UTF_8));
    }

    @Test
    void everyAttributeHeaderIsCePlusALowercaseAlphanumericNameOfAtMost20Characters() {
        Map<String, byte[]> h = CloudEventHeaders.forEvent(SampleEvents.fullGrant(), SOURCE, TRACEPARENT);
        for (String name : h.keySet()) {
            if (name.equals("content-type")) {
                continue;
            }
            assertTrue(name.matches("ce_[a-z0-9]{1,20}"), name);
        }
    }

    @Test
    void headerValuesAreStrictUtf8() {
        ConsentEvent e = SampleEvents.fullGrant();
        ConsentEvent danish = new ConsentEvent(e.eventId(), "kørsel-æøå", "bruger-ø", 3, e.requestId(), "nyhedsbrev-ø",
                e.channel(), e.category(), e.legalBasis(), e.action(), e.previousState(), e.state(), e.notice(),
                e.evidence(), e.occurredAt(), e.recordedAt(), e.expiresAt());
        Map<String, byte[]> h = CloudEventHeaders.forEvent(danish, SOURCE, null);
        h.forEach((name, value) -> {
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value));
            } catch (CharacterCodingException ex) {
                throw new AssertionError(name + " is not UTF-8", ex);
            }
        });
        assertEquals("kørsel-æøå/bruger-ø", new String(h.get("ce_partitionkey"), StandardCharsets.UTF_8));
    }

    @Test
    void optionalAttributesAreOmittedRatherThanEmpty() {
        UUID id = UUID.randomUUID();
        Map<String, byte[]> h = CloudEventHeaders.of(id, SOURCE, "io.samtykke.consent.denied.v1",
                Instant.parse("2026-03-02T09:15:00Z"), null, "acme", "user-1", 2, null, null);
        assertNull(h.get("ce_subject"));
        assertNull(h.get("ce_dataschema"));
        assertNull(h.get("ce_traceparent"));
        assertEquals("2026-03-02T09:15:00Z", new String(h.get("ce_time"), StandardCharsets.UTF_8));
        assertEquals(java.util.Set.of("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_tenantid", "ce_subjectseq",
                "ce_partitionkey", "content-type"), h.keySet(), "exactly the attributes given, none empty");
        assertEquals(Map.of("ce_specversion", "1.0", "ce_id", id.toString(), "ce_source", SOURCE,
                "ce_type", "io.samtykke.consent.denied.v1", "ce_time", "2026-03-02T09:15:00Z", "ce_tenantid", "acme",
                "ce_subjectseq", "2", "ce_partitionkey", "acme/user-1", "content-type", "application/json"), strings(h));
    }

    @Test
    void theTimeIsWrittenAsAnIsoInstantWithAFractionOfThreeSixOrNineDigits() {
        for (String time : List.of("2026-03-02T09:15:00Z", "2026-03-02T09:15:00.120Z", "2026-03-02T09:15:00.100200Z",
                "2026-03-02T09:15:00.000000001Z")) {
            Map<String, byte[]> h = CloudEventHeaders.of(UUID.randomUUID(), SOURCE, "io.samtykke.consent.denied.v1",
                    Instant.parse(time), null, "acme", "user-1", 2, null, null);
            assertEquals(time, new String(h.get("ce_time"), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theTypeFollowsTheResultingState() {
        for (ConsentEventType type : ConsentEventType.values()) {
            ConsentEvent changed = SampleEvents.fullGrantEndingIn(type.state());
            assertEquals(type.type(), strings(CloudEventHeaders.forEvent(changed, SOURCE, null)).get("ce_type"));
            assertTrue(type.type().matches("io\\.samtykke\\.consent\\.[a-z]+\\.v1"), type.type());
        }
        assertEquals(List.of(ConsentEventType.DENIED, ConsentEventType.WITHDRAWN, ConsentEventType.EXPIRED,
                        ConsentEventType.OBJECTED),
                Arrays.stream(ConsentEventType.values()).filter(ConsentEventType::isOptOut).toList());
    }

    @Test
    void aStateSnapshotIsKeyedAndPartitionedByTenantSubjectAndPurpose() {
        ConsentStateSnapshot s = SampleEvents.snapshot();
        UUID id = UUID.randomUUID();
        Map<String, String> h = strings(CloudEventHeaders.forSnapshot(s, id, SOURCE, s.updatedAt(), null));
        assertEquals(id.toString(), h.get("ce_id"));
        assertEquals(ConsentStateSnapshot.TYPE, h.get("ce_type"));
        assertEquals("newsletter", h.get("ce_subject"));
        assertEquals(s.key(), h.get("ce_partitionkey"));
        assertEquals("acme", h.get("ce_tenantid"));
        assertEquals("1", h.get("ce_subjectseq"));
        assertEquals(Schemas.CONSENT_STATE, h.get("ce_dataschema"));
        assertEquals(s.updatedAt(), Instant.parse(h.get("ce_time")));
    }

    static Map<String, String> strings(Map<String, byte[]> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
        return out;
    }
}
