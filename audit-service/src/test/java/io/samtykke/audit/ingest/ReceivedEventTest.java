package io.samtykke.audit.ingest;

import io.samtykke.audit.Events;
import io.samtykke.audit.ingest.ReceivedEvent.NotAnEvent;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceivedEventTest {

    static final ConsentEvent EVENT = Events.consent("acme", "anna", "newsletter", ConsentState.WITHDRAWN, 7);

    @Test
    void aConsentEventIsReadFromItsHeadersKeyAndValue() throws NotAnEvent {
        ConsumerRecord<String, byte[]> record = consumed(Events.record(EVENT));
        ReceivedEvent e = ReceivedEvent.of(record);
        assertEquals("acme", e.tenantId());
        assertEquals(EVENT.eventId(), e.eventId());
        assertEquals("io.samtykke.consent.withdrawn.v1", e.type());
        assertEquals(Events.SOURCE, e.source());
        assertEquals("anna", e.subjectId());
        assertEquals("newsletter", e.purpose());
        assertEquals(EVENT.occurredAt(), e.eventTime());
        assertEquals(Topics.CONSENT_EVENTS, e.topic());
        assertEquals(2, e.partition());
        assertEquals(41L, e.offset());
        assertEquals(7L, e.subjectSeq());
        assertArrayEquals(record.value(), e.payload());
    }

    @Test
    void everyRequiredAttributeIsNeeded() {
        for (String name : ReceivedEvent.REQUIRED) {
            ProducerRecord<String, byte[]> r = Events.record(EVENT);
            r.headers().remove(name);
            NotAnEvent e = assertThrows(NotAnEvent.class, () -> ReceivedEvent.of(consumed(r)), name);
            assertThat(e.getMessage(), containsString(name));
        }
    }

    @Test
    void anEventIdMustBeAUuidAndTheTimeRfc3339() {
        assertThat(refusal(withHeader("ce_id", "42")), containsString("not a UUID"));
        assertThat(refusal(withHeader("ce_time", "yesterday")), containsString("RFC 3339"));
        assertThat(refusal(withHeader("ce_specversion", "0.3")), containsString("not 1.0"));
    }

    @Test
    void theEventTimeMustBeWithinTheYears1To9999() throws NotAnEvent {
        assertEquals("ce_time +300000-01-01T00:00:00Z is outside the years 1 to 9999 the log stores",
                refusal(withHeader("ce_time", "+300000-01-01T00:00:00Z")));
        assertThat(refusal(withHeader("ce_time", "+10000-01-01T00:00:00Z")), containsString("outside the years 1 to 9999"));
        assertThat(refusal(withHeader("ce_time", "0000-12-31T23:59:59Z")), containsString("outside the years 1 to 9999"));
        assertThat(refusal(withHeader("ce_time", "-0001-01-01T00:00:00Z")), containsString("outside the years 1 to 9999"));
        assertThat(refusal(withHeader("ce_time", "0001-01-01T00:30:00+01:00")), containsString("outside the years 1 to 9999"));
        assertEquals(Instant.parse("9999-12-31T23:59:59.999999999Z"),
                ReceivedEvent.of(consumed(withHeader("ce_time", "9999-12-31T23:59:59.999999999Z"))).eventTime());
        assertEquals(Instant.parse("0001-01-01T00:00:00Z"),
                ReceivedEvent.of(consumed(withHeader("ce_time", "0001-01-01T01:00:00+01:00"))).eventTime());
    }

    @Test
    void thePayloadMustBeJson() {
        ProducerRecord<String, byte[]> r = Events.record(EVENT);
        assertThat(refusal(new ProducerRecord<>(r.topic(), null, r.key(), "not json".getBytes(StandardCharsets.UTF_8),
                r.headers())), containsString("not JSON"));
        assertThat(refusal(new ProducerRecord<>(r.topic(), null, r.key(), "{} {}".getBytes(StandardCharsets.UTF_8),
                r.headers())), containsString("not JSON"));
        assertThat(refusal(new ProducerRecord<>(r.topic(), null, r.key(), null, r.headers())), containsString("not JSON"));
    }

    @Test
    void aConsentEventThatKeepsTheContractIsAConsentEvent() throws NotAnEvent {
        assertTrue(ContractCheck.isConsentEvent(ReceivedEvent.of(consumed(Events.record(EVENT)))));
        assertTrue(ContractCheck.isConsentEvent(ReceivedEvent.of(consumed(Events.optOut(EVENT)))));
    }

    @Test
    void aConsentPayloadThatBreaksItsSchemaIsRefused() throws NotAnEvent {
        ProducerRecord<String, byte[]> r = Events.record(EVENT);
        String broken = new String(r.value(), StandardCharsets.UTF_8).replace("\"legalBasis\":\"CONSENT\"", "\"legalBasis\":\"WHIM\"");
        ReceivedEvent e = ReceivedEvent.of(consumed(new ProducerRecord<>(r.topic(), null, r.key(),
                broken.getBytes(StandardCharsets.UTF_8), r.headers())));
        NotAnEvent refused = assertThrows(NotAnEvent.class, () -> ContractCheck.isConsentEvent(e));
        assertThat(refused.getMessage(), containsString("consent-event.v1.json"));
        assertThat(refused.getMessage(), containsString("legalBasis"));
    }

    @Test
    void headersOrAKeyThatDisagreeWithTheConsentPayloadAreRefused() throws NotAnEvent {
        ReceivedEvent otherSubject = ReceivedEvent.of(consumed(withKey("acme/bo")));
        assertThat(assertThrows(NotAnEvent.class, () -> ContractCheck.isConsentEvent(otherSubject)).getMessage(),
                containsString("the record key's subject is bo but the payload says anna"));
        ReceivedEvent otherType = ReceivedEvent.of(consumed(withHeader("ce_type", "io.samtykke.consent.granted.v1")));
        assertThat(assertThrows(NotAnEvent.class, () -> ContractCheck.isConsentEvent(otherType)).getMessage(),
                containsString("the state of ce_type is GRANTED but the payload says WITHDRAWN"));
        ReceivedEvent unknownType = ReceivedEvent.of(consumed(withHeader("ce_type", "io.samtykke.consent.maybe.v1")));
        assertThat(assertThrows(NotAnEvent.class, () -> ContractCheck.isConsentEvent(unknownType)).getMessage(),
                containsString("is not a consent event type"));
    }

    @Test
    void theSubjectComesFromAKeyOfTheTenant() throws NotAnEvent {
        assertNull(ReceivedEvent.of(consumed(withKey("other-tenant/anna"))).subjectId());
        assertNull(ReceivedEvent.of(consumed(withKey(null))).subjectId());
        assertEquals("anna", ReceivedEvent.of(consumed(withKey("acme/anna/newsletter"))).subjectId());
    }

    private static String refusal(ProducerRecord<String, byte[]> r) {
        return assertThrows(NotAnEvent.class, () -> ReceivedEvent.of(consumed(r))).getMessage();
    }

    private static ProducerRecord<String, byte[]> withHeader(String name, String value) {
        ProducerRecord<String, byte[]> r = Events.record(EVENT);
        r.headers().remove(name).add(name, value.getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private static ProducerRecord<String, byte[]> withKey(String key) {
        ProducerRecord<String, byte[]> r = Events.record(EVENT);
        return new ProducerRecord<>(r.topic(), null, key, r.value(), r.headers());
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> r) {
        Headers headers = new RecordHeaders(r.headers().toArray());
        return new ConsumerRecord<>(r.topic(), 2, 41L, 0L, TimestampType.CREATE_TIME, -1, -1, r.key(), r.value(), headers,
                Optional.empty());
    }
}
