package io.samtykke.testsupport;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PreferenceEvent;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventContractTest {

    private static final String SOURCE = "/samtykke/consent-service";
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aConsentEventAsTheProducerWritesItPasses() {
        ConsentEvent e = grant();
        CloudEvent event = EventContract.assertValid(record(Topics.CONSENT_EVENTS, e));
        assertEquals("1.0", event.getSpecVersion().toString());
        assertEquals(e.eventId().toString(), event.getId());
        assertEquals("io.samtykke.consent.granted.v1", event.getType());
        assertEquals(URI.create(SOURCE), event.getSource());
        assertEquals("newsletter", event.getSubject());
        assertEquals(URI.create(Schemas.CONSENT_EVENT), event.getDataSchema());
        assertEquals("acme", event.getExtension("tenantid"));
        assertEquals("4", event.getExtension("subjectseq"));
        assertEquals("acme/user-42", event.getExtension("partitionkey"));
        assertEquals(TRACEPARENT, event.getExtension("traceparent"));
        assertEquals(e, EventJson.read(event.getData().toBytes(), ConsentEvent.class));
    }

    @Test
    void aRecordWithAStringValuePassesToo() {
        ConsumerRecord<String, byte[]> bytes = record(Topics.CONSENT_EVENTS, grant());
        ConsumerRecord<String, String> text = new ConsumerRecord<>(bytes.topic(), 0, 7, bytes.key(),
                new String(bytes.value(), StandardCharsets.UTF_8));
        bytes.headers().forEach(text.headers()::add);
        assertEquals(grant(), EventContract.assertConsentEvent(text));
    }

    @Test
    void anOptOutPassesOnTheOptOutTopicButAGrantDoesNot() {
        ConsentEvent withdrawal = withState(grant(), ConsentAction.WITHDRAW, ConsentState.WITHDRAWN);
        assertEquals(withdrawal, EventContract.assertConsentEvent(record(Topics.CONSENT_OPTOUTS, withdrawal)));
        assertViolation(record(Topics.CONSENT_OPTOUTS, grant()), "io.samtykke.consent.granted.v1 is not an opt-out");
    }

    @Test
    void aRecordWrittenByTheCloudEventsSdkItselfPasses() {
        ConsentEvent e = withState(grant(), ConsentAction.OBJECT, ConsentState.OBJECTED);
        CloudEvent event = CloudEventBuilder.v1()
                .withId(e.eventId().toString())
                .withSource(URI.create(SOURCE))
                .withType("io.samtykke.consent.objected.v1")
                .withTime(e.occurredAt().atOffset(ZoneOffset.UTC))
                .withSubject(e.purpose())
                .withDataSchema(URI.create(Schemas.CONSENT_EVENT))
                .withDataContentType("application/json")
                .withExtension("tenantid", e.tenantId())
                .withExtension("subjectseq", Long.toString(e.subjectSeq()))
                .withExtension("partitionkey", e.partitionKey())
                .withData(EventJson.write(e).getBytes(StandardCharsets.UTF_8))
                .build();
        ProducerRecord<String, byte[]> produced = KafkaMessageFactory
                .createWriter(Topics.CONSENT_EVENTS, e.partitionKey()).writeBinary(event);
        ConsumerRecord<String, byte[]> consumed = new ConsumerRecord<>(produced.topic(), 1, 3, produced.key(), produced.value());
        produced.headers().forEach(consumed.headers()::add);
        assertEquals(e, EventContract.assertConsentEvent(consumed));
    }

    @Test
    void aStateSnapshotPassesAndAWellKeyedTombstoneIsAccepted() {
        ConsentStateSnapshot s = snapshot();
        assertEquals(s, EventContract.assertStateSnapshot(stateRecord(s)));

        ConsumerRecord<String, byte[]> tombstone = new ConsumerRecord<>(Topics.CONSENT_STATE, 0, 1, s.key(), null);
        tombstone.headers().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
        assertNull(EventContract.assertValid(tombstone));
        assertViolation(new ConsumerRecord<>(Topics.CONSENT_STATE, 0, 2, "acme/user-42", null),
                "tombstone key acme/user-42 is not tenantId/subjectId/purpose");
    }

    @Test
    void aStateSnapshotKeyedLikeAnEventIsRejected() {
        ConsentStateSnapshot s = snapshot();
        ConsumerRecord<String, byte[]> r = stateRecord(s);
        ConsumerRecord<String, byte[]> wrongKey = new ConsumerRecord<>(r.topic(), 0, 0, "acme/user-42", r.value());
        r.headers().forEach(wrongKey.headers()::add);
        assertViolation(wrongKey, "differs from the record key", "record key is acme/user-42");
    }

    @Test
    void missingExtensionsAreReportedFromTheHeadersAndFromTheParsedEvent() {
        ConsumerRecord<String, byte[]> r = edited(Topics.CONSENT_EVENTS, grant(), h -> {
            h.remove("ce_tenantid");
            h.remove("ce_subjectseq");
        });
        assertViolation(r, "ce_tenantid", "extension tenantid (ce_tenantid) is missing",
                "extension subjectseq (ce_subjectseq) is missing");
    }

    @Test
    void anotherSpecVersionIsRejected() {
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_specversion", "0.3")),
                "specversion is 0.3, expected 1.0");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_specversion", "2.0")),
                "cannot read the record as a binary-mode CloudEvent");
    }

    @Test
    void theContentTypeBelongsInTheKafkaHeader() {
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> {
            h.remove("content-type");
            h.put("ce_datacontenttype", "application/json");
        }), "content-type", "ce_datacontenttype");
    }

    @Test
    void headerNamesMustBeLowercaseAndValuesUtf8AndUnique() {
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_tenantId", "acme")),
                "header ce_tenantId: CloudEvents attribute names are lowercase");
        ConsumerRecord<String, byte[]> latin1 = record(Topics.CONSENT_EVENTS, grant());
        latin1.headers().remove("ce_source");
        latin1.headers().add("ce_source", new byte[] {'/', (byte) 0xE6, (byte) 0xF8});
        assertViolation(latin1, "header ce_source is not valid UTF-8");
        ConsumerRecord<String, byte[]> twice = record(Topics.CONSENT_EVENTS, grant());
        twice.headers().add("ce_subjectseq", "5".getBytes(StandardCharsets.UTF_8));
        assertViolation(twice, "header ce_subjectseq appears more than once");
    }

    @Test
    void aBrokenPayloadIsRejectedWithEveryViolationListed() {
        ConsentEvent e = grant();
        ConsumerRecord<String, byte[]> good = record(Topics.CONSENT_EVENTS, e);
        String broken = EventJson.write(e)
                .replace("\"channel\":\"EMAIL\"", "\"channel\":\"FAX\"")
                .replace("\"requestId\":\"" + e.requestId() + "\",", "")
                .replace("\"subjectSeq\":4", "\"subjectSeq\":4,\"eventType\":\"granted\"");
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(good.topic(), 0, 0, good.key(), broken.getBytes(StandardCharsets.UTF_8));
        good.headers().forEach(r.headers()::add);
        assertViolation(r, "payload", "channel", "requestId", "eventType");
    }

    @Test
    void aPayloadThatIsNotJsonIsRejected() {
        ConsumerRecord<String, byte[]> good = record(Topics.CONSENT_EVENTS, grant());
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(good.topic(), 0, 0, good.key(),
                "eventId=3f0c6a52".getBytes(StandardCharsets.UTF_8));
        good.headers().forEach(r.headers()::add);
        assertViolation(r, "payload is not JSON");
    }

    @Test
    void headersThatContradictThePayloadAreRejected() {
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_id", UUID.randomUUID().toString())),
                "ce_id is ", "the payload's eventId");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_type", "io.samtykke.consent.denied.v1")),
                "ce_type is io.samtykke.consent.denied.v1 but the payload's the type of state GRANTED");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_subjectseq", "5")),
                "ce_subjectseq is 5 but the payload's subjectSeq gives 4");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_subject", "sms-offers")),
                "ce_subject is sms-offers");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_time", "2026-03-02T09:15:01Z")),
                "ce_time is 2026-03-02T09:15:01Z but the payload's occurredAt");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_dataschema", Schemas.CONSENT_STATE)),
                "ce_dataschema");
        assertViolation(edited(Topics.CONSENT_EVENTS, grant(), h -> h.put("ce_type", "io.samtykke.consent.maybe.v1")),
                "ce_type io.samtykke.consent.maybe.v1 is not a consent event type");
    }

    @Test
    void theRecordKeyMustBeThePartitionKey() {
        ConsumerRecord<String, byte[]> good = record(Topics.CONSENT_EVENTS, grant());
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(good.topic(), 0, 0, "acme/someone-else", good.value());
        good.headers().forEach(r.headers()::add);
        assertViolation(r, "extension partitionkey acme/user-42 differs from the record key acme/someone-else");
        ConsumerRecord<String, byte[]> noKey = new ConsumerRecord<>(good.topic(), 0, 0, null, good.value());
        good.headers().forEach(noKey.headers()::add);
        assertViolation(noKey, "the record key is missing");
    }

    @Test
    void aConsentEventWithoutPayloadAndTopicsWithoutAContractAreRejected() {
        ConsumerRecord<String, byte[]> good = record(Topics.CONSENT_EVENTS, grant());
        ConsumerRecord<String, byte[]> empty = new ConsumerRecord<>(good.topic(), 0, 0, good.key(), null);
        good.headers().forEach(empty.headers()::add);
        assertViolation(empty, "the record has no payload");
        assertViolation(new ConsumerRecord<>("samtykke.elsewhere.v1", 0, 0, "acme/user-42", new byte[] {'{', '}'}),
                "has no published payload contract");
    }

    @Test
    void aPreferenceEventAsTheProducerWritesItPasses() {
        PreferenceEvent e = preferenceEvent();
        assertEquals(e, EventContract.assertPreferenceEvent(preferenceRecord(e, CloudEventHeaders.forPreferenceEvent(e,
                "/samtykke/preference-service", TRACEPARENT))));
    }

    @Test
    void aPreferenceEventWithAPurposeSubjectOrHeadersThatContradictItsPayloadIsRejected() {
        PreferenceEvent e = preferenceEvent();
        Map<String, byte[]> headers = new LinkedHashMap<>(CloudEventHeaders.forPreferenceEvent(e, "/samtykke/preference-service", null));
        headers.put("ce_subject", "newsletter".getBytes(StandardCharsets.UTF_8));
        headers.put("ce_subjectseq", "2".getBytes(StandardCharsets.UTF_8));
        assertViolation(preferenceRecord(e, headers), "a preference change concerns no purpose",
                "ce_subjectseq is 2 but the payload's version gives 3");
        Map<String, byte[]> consentType = new LinkedHashMap<>(CloudEventHeaders.forPreferenceEvent(e, "/samtykke/preference-service", null));
        consentType.put("ce_type", "io.samtykke.consent.granted.v1".getBytes(StandardCharsets.UTF_8));
        assertViolation(preferenceRecord(e, consentType), "is not io.samtykke.preference.updated.v1");
        assertThrows(AssertionError.class, () -> EventContract.assertPreferenceEvent(record(Topics.CONSENT_EVENTS, grant())),
                "a consent record is not a preference event");
    }

    @Test
    void aSubjectEventPassesOnItsTopicAndAnObjectionAlsoOnTheOptOuts() {
        SubjectEvent objected = subjectEvent(SubjectEventType.OBJECTED);
        assertEquals(objected, EventContract.assertSubjectEvent(subjectRecord(Topics.SUBJECT_EVENTS, objected,
                CloudEventHeaders.forSubjectEvent(objected, SOURCE, TRACEPARENT))));
        assertEquals(objected, EventContract.assertSubjectEvent(subjectRecord(Topics.CONSENT_OPTOUTS, objected,
                CloudEventHeaders.forSubjectEvent(objected, SOURCE, null))));
        SubjectEvent lifted = subjectEvent(SubjectEventType.RESTRICTION_LIFTED);
        assertEquals(lifted, EventContract.assertSubjectEvent(subjectRecord(Topics.SUBJECT_EVENTS, lifted,
                CloudEventHeaders.forSubjectEvent(lifted, SOURCE, null))));
        assertViolation(subjectRecord(Topics.CONSENT_OPTOUTS, lifted, CloudEventHeaders.forSubjectEvent(lifted, SOURCE, null)),
                "io.samtykke.subject.restriction-lifted.v1 is not an opt-out");
        assertThrows(AssertionError.class, () -> EventContract.assertSubjectEvent(record(Topics.CONSENT_OPTOUTS,
                withState(grant(), ConsentAction.WITHDRAW, ConsentState.WITHDRAWN))), "a consent opt-out is no subject event");
    }

    @Test
    void aSubjectEventWithAPurposeOrHeadersThatContradictItsPayloadIsRejected() {
        SubjectEvent e = subjectEvent(SubjectEventType.RESTRICTION_LIFTED);
        Map<String, byte[]> headers = new LinkedHashMap<>(CloudEventHeaders.forSubjectEvent(e, SOURCE, null));
        headers.put("ce_subject", "newsletter".getBytes(StandardCharsets.UTF_8));
        headers.put("ce_subjectseq", "9".getBytes(StandardCharsets.UTF_8));
        headers.put("ce_type", SubjectEventType.RESTRICTED.type().getBytes(StandardCharsets.UTF_8));
        assertViolation(subjectRecord(Topics.SUBJECT_EVENTS, e, headers), "concerns no purpose",
                "ce_subjectseq is 9 but the payload's subjectSeq gives 2",
                "ce_type is io.samtykke.subject.restricted.v1 but the payload's the type of change RESTRICTION_LIFTED");
        Map<String, byte[]> consentType = new LinkedHashMap<>(CloudEventHeaders.forSubjectEvent(e, SOURCE, null));
        consentType.put("ce_type", "io.samtykke.consent.granted.v1".getBytes(StandardCharsets.UTF_8));
        assertViolation(subjectRecord(Topics.SUBJECT_EVENTS, e, consentType), "is not a subject event type");
        String broken = EventJson.write(e).replace("\"change\":\"RESTRICTION_LIFTED\",", "\"change\":\"RESTRICTION_LIFTED\",\"purpose\":\"x\",");
        assertViolation(build(Topics.SUBJECT_EVENTS, e.partitionKey(), CloudEventHeaders.forSubjectEvent(e, SOURCE, null), broken),
                "payload", "purpose");
    }

    @Test
    void theFailureMessageNamesTheRecord() {
        AssertionError error = assertThrows(AssertionError.class, () -> EventContract.assertValid(
                edited(Topics.CONSENT_EVENTS, grant(), h -> h.remove("ce_subject"))));
        assertTrue(error.getMessage().startsWith("Kafka record samtykke.consent.events.v1-0@0 (key acme/user-42) breaks the event contract:"),
                error.getMessage());
    }

    private static void assertViolation(ConsumerRecord<String, ?> record, String... mentioned) {
        AssertionError error = assertThrows(AssertionError.class, () -> EventContract.assertValid(record));
        for (String m : mentioned) {
            assertTrue(error.getMessage().contains(m), "expected \"" + m + "\" in:\n" + error.getMessage());
        }
    }

    private static ConsentEvent grant() {
        Instant occurred = Instant.parse("2026-03-02T09:15:00.250Z");
        return new ConsentEvent(UUID.fromString("3f0c6a52-8a1e-4b59-9a43-2f1f5c7d9e01"), "acme", "user-42", 4,
                UUID.fromString("9b2d1c8e-0f4a-4e7b-8c11-5d6e7f809a1b"), "newsletter", Channel.EMAIL,
                PurposeCategory.MARKETING, LegalBasis.CONSENT, ConsentAction.GRANT, ConsentState.NONE, ConsentState.GRANTED,
                new ConsentEvent.Notice("3", "da", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", null, false),
                new ConsentEvent.Evidence(new ConsentEvent.Source("acme-web", "WEB", "2026.3", "signup-form"),
                        new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), "da", "192.0.2.0/24", "Mozilla/5.0"),
                occurred, occurred.plusMillis(40), Instant.parse("2027-04-02T09:15:00Z"));
    }

    private static ConsentEvent withState(ConsentEvent e, ConsentAction action, ConsentState state) {
        return new ConsentEvent(UUID.randomUUID(), e.tenantId(), e.subjectId(), e.subjectSeq() + 1, UUID.randomUUID(),
                e.purpose(), e.channel(), e.category(), e.legalBasis(), action, e.state(), state, null, e.evidence(),
                e.occurredAt(), e.recordedAt(), null);
    }

    private static PreferenceEvent preferenceEvent() {
        return new PreferenceEvent(UUID.fromString("0b7d3c1e-9a4f-4c2b-8e5d-6f7a8b9c0d1e"), "acme", "user-42", 3,
                new Preferences(List.of("ride-offers"), Map.of(Channel.EMAIL, new FrequencyCap(2, FrequencyCap.Period.WEEK)),
                        null, "Europe/Copenhagen", "da", Channel.EMAIL),
                Instant.parse("2026-03-02T09:15:00.120Z"));
    }

    private static SubjectEvent subjectEvent(SubjectEventType type) {
        Instant occurred = Instant.parse("2026-03-06T10:02:11.500Z");
        return new SubjectEvent(UUID.fromString("5c1f3a7e-2b4d-4e8f-9a0b-1c2d3e4f5a6b"), "acme", "user-42", 2, type,
                type == SubjectEventType.OBJECTED ? SubjectEvent.Scope.DIRECT_MARKETING : null, null,
                type == SubjectEventType.RESTRICTION_LIFTED ? "the address was corrected" : null,
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SUBJECT, "user-42"), null, null, null),
                occurred, occurred.plusMillis(30));
    }

    private static ConsumerRecord<String, byte[]> subjectRecord(String topic, SubjectEvent e, Map<String, byte[]> headers) {
        return build(topic, e.partitionKey(), headers, EventJson.write(e));
    }

    private static ConsumerRecord<String, byte[]> preferenceRecord(PreferenceEvent e, Map<String, byte[]> headers) {
        return build(Topics.PREFERENCE_EVENTS, e.partitionKey(), headers, EventJson.write(e));
    }

    private static ConsentStateSnapshot snapshot() {
        return new ConsentStateSnapshot("acme", "user-42", "newsletter", ConsentState.GRANTED, 4,
                UUID.fromString("3f0c6a52-8a1e-4b59-9a43-2f1f5c7d9e01"), "3",
                Instant.parse("2026-03-02T09:15:00.290Z"), Instant.parse("2027-04-02T09:15:00Z"));
    }

    private static ConsumerRecord<String, byte[]> record(String topic, ConsentEvent e) {
        return build(topic, e.partitionKey(), CloudEventHeaders.forEvent(e, SOURCE, TRACEPARENT), EventJson.write(e));
    }

    private static ConsumerRecord<String, byte[]> stateRecord(ConsentStateSnapshot s) {
        return build(Topics.CONSENT_STATE, s.key(),
                CloudEventHeaders.forSnapshot(s, UUID.randomUUID(), SOURCE, s.updatedAt(), null), EventJson.write(s));
    }

    /** A record of {@code e} whose headers (as strings) were changed by {@code edit}. */
    private static ConsumerRecord<String, byte[]> edited(String topic, ConsentEvent e, Consumer<Map<String, String>> edit) {
        Map<String, String> headers = new LinkedHashMap<>();
        CloudEventHeaders.forEvent(e, SOURCE, TRACEPARENT)
                .forEach((k, v) -> headers.put(k, new String(v, StandardCharsets.UTF_8)));
        edit.accept(headers);
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        headers.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return build(topic, e.partitionKey(), bytes, EventJson.write(e));
    }

    private static ConsumerRecord<String, byte[]> build(String topic, String key, Map<String, byte[]> headers, String json) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(topic, 0, 0, key, json.getBytes(StandardCharsets.UTF_8));
        headers.forEach((k, v) -> r.headers().add(k, v));
        return r;
    }

}
