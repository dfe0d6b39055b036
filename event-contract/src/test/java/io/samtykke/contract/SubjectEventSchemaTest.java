package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import static io.samtykke.contract.SchemaValidation.assertValid;
import static io.samtykke.contract.SchemaValidation.constants;
import static io.samtykke.contract.SchemaValidation.enumOf;
import static io.samtykke.contract.SchemaValidation.names;
import static io.samtykke.contract.SchemaValidation.required;
import static io.samtykke.contract.SchemaValidation.schemaFile;
import static io.samtykke.contract.SchemaValidation.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectEventSchemaTest {

    @ParameterizedTest
    @EnumSource(SubjectEventType.class)
    void everySubjectEventAsTheProducerWritesItIsValid(SubjectEventType type) {
        assertValid(Schemas.SUBJECT_EVENT, SampleEvents.subjectEvent(type));
    }

    @Test
    void aMinimalObjectionIsValidAndItsFieldsAreTheRequiredOnesPlusScope() {
        SubjectEvent minimal = new SubjectEvent(UUID.randomUUID(), "acme", "user-7", 1, SubjectEventType.OBJECTED,
                SubjectEvent.Scope.DIRECT_MARKETING, null, null,
                new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SUBJECT, null), null, null, null),
                Instant.parse("2026-03-02T09:15:00Z"), Instant.parse("2026-03-02T09:15:00Z"));
        assertValid(Schemas.SUBJECT_EVENT, minimal);
        Set<String> written = names(tree(minimal));
        written.remove("scope");
        assertEquals(required(schemaFile(Schemas.SUBJECT_EVENT)), written);
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() {
        JsonNode extended = tree(SampleEvents.subjectEvent(SubjectEventType.REQUEST_EXTENDED));
        JsonNode objected = tree(SampleEvents.subjectEvent(SubjectEventType.OBJECTED));
        Set<String> all = names(extended);
        all.addAll(names(objected));
        assertEquals(names(schemaFile(Schemas.SUBJECT_EVENT).get("properties")), all);
        assertEquals(names(schemaFile(Schemas.SUBJECT_EVENT).at("/definitions/request/properties")), names(extended.get("request")));
    }

    @Test
    void theEnumsAreTheJavaEnums() {
        JsonNode schema = schemaFile(Schemas.SUBJECT_EVENT);
        assertEquals(constants(SubjectEventType.values()), enumOf(schema.at("/properties/change")));
        assertEquals(constants(SubjectEvent.Scope.values()), enumOf(schema.at("/properties/scope")));
        assertEquals(constants(SubjectRequestType.values()), enumOf(schema.at("/definitions/request/properties/type")));
        assertEquals(constants(SubjectRequestStatus.values()), enumOf(schema.at("/definitions/request/properties/status")));
    }

    @Test
    void eventJsonReadsBackWhatItWrote() {
        for (SubjectEventType type : SubjectEventType.values()) {
            SubjectEvent e = SampleEvents.subjectEvent(type);
            assertEquals(e, EventJson.read(EventJson.write(e), SubjectEvent.class));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventId", "tenantId", "subjectId", "subjectSeq", "change", "evidence", "occurredAt", "recordedAt"})
    void anEventMissingARequiredFieldIsRejected(String field) {
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.remove(field), field);
    }

    @Test
    void anObjectionNeedsItsScopeAndOnlyAnObjectionHasOne() {
        assertInvalid(SubjectEventType.OBJECTED, e -> e.remove("scope"), "scope");
        assertInvalid(SubjectEventType.OBJECTION_WITHDRAWN, e -> e.remove("scope"), "scope");
        assertInvalid(SubjectEventType.RESTRICTED, e -> e.put("scope", "DIRECT_MARKETING"), "");
        assertInvalid(SubjectEventType.OBJECTED, e -> e.put("scope", "ANALYTICS"), "scope");
    }

    @Test
    void aRequestStepNeedsItsRequestAndAReasonWhereOneIsDue() {
        assertInvalid(SubjectEventType.REQUEST_RECEIVED, e -> e.remove("request"), "request");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.remove("reason"), "reason");
        assertInvalid(SubjectEventType.REQUEST_REJECTED, e -> e.remove("reason"), "reason");
        assertInvalid(SubjectEventType.RESTRICTION_LIFTED, e -> e.remove("reason"), "reason");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("reason", ""), "reason");
    }

    @Test
    void anErasureNamesItsRequestAndReasonAndHasNoScope() {
        assertInvalid(SubjectEventType.ERASED, e -> e.remove("request"), "request");
        assertInvalid(SubjectEventType.ERASED, e -> e.remove("reason"), "reason");
        assertInvalid(SubjectEventType.ERASED, e -> e.put("scope", "DIRECT_MARKETING"), "");
    }

    @Test
    void badValuesAndExtraFieldsAreRejected() {
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("subjectSeq", 0), "subjectSeq");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("change", "FORGOTTEN"), "change");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> request(e).put("extendedMonths", 3), "extendedMonths");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> request(e).put("type", "GOSSIP"), "type");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> request(e).put("status", "LOST"), "status");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> request(e).remove("dueAt"), "dueAt");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("occurredAt", "2026-03-02T10:15:00+01:00"), "occurredAt");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("purpose", "newsletter"), "purpose");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> e.put("tenantId", "a/b"), "tenantId");
        assertInvalid(SubjectEventType.REQUEST_EXTENDED, e -> ((ObjectNode) e.get("evidence")).remove("actor"), "actor");
    }

    @Test
    void theTypeFollowsTheChangeAndOnlyTheObjectionTheRestrictionAndTheErasureAreOptOuts() {
        for (SubjectEventType type : SubjectEventType.values()) {
            assertTrue(type.type().matches("io\\.samtykke\\.subject\\.[a-z-]+\\.v1"), type.type());
            assertEquals(type, SubjectEventType.fromType(type.type()));
            assertEquals(type == SubjectEventType.OBJECTED || type == SubjectEventType.RESTRICTED || type == SubjectEventType.ERASED,
                    type.isOptOut(), type.type());
        }
        assertThrows(IllegalArgumentException.class, () -> SubjectEventType.fromType("io.samtykke.consent.objected.v1"));
    }

    @Test
    void theSchemaOfARecordFollowsItsTopicAndOnTheOptOutsItsType() {
        assertEquals(Schemas.SUBJECT_EVENT, Schemas.forRecord(Topics.SUBJECT_EVENTS, SubjectEventType.RESTRICTED.type()));
        assertEquals(Schemas.SUBJECT_EVENT, Schemas.forRecord(Topics.CONSENT_OPTOUTS, SubjectEventType.OBJECTED.type()));
        assertEquals(Schemas.CONSENT_EVENT, Schemas.forRecord(Topics.CONSENT_OPTOUTS, ConsentEventType.WITHDRAWN.type()));
        assertEquals(Schemas.CONSENT_EVENT, Schemas.forRecord(Topics.CONSENT_EVENTS, SubjectEventType.OBJECTED.type()));
        assertNull(Schemas.forRecord("samtykke.elsewhere.v1", SubjectEventType.OBJECTED.type()));
    }

    @Test
    void theHeadersCarryTheSubjectSequenceAndNoPurpose() {
        SubjectEvent e = SampleEvents.subjectEvent(SubjectEventType.OBJECTED);
        Map<String, byte[]> h = CloudEventHeaders.forSubjectEvent(e, "/samtykke/consent-service", null);
        assertEquals(SubjectEventType.OBJECTED.type(), text(h, "ce_type"));
        assertEquals(e.eventId().toString(), text(h, "ce_id"));
        assertEquals("3", text(h, "ce_subjectseq"));
        assertEquals("mobiplus/user-42", text(h, "ce_partitionkey"));
        assertEquals(Schemas.SUBJECT_EVENT, text(h, "ce_dataschema"));
        assertEquals(e.occurredAt(), Instant.parse(text(h, "ce_time")));
        assertFalse(h.containsKey("ce_subject"));
    }

    private static String text(Map<String, byte[]> headers, String name) {
        return new String(headers.get(name), StandardCharsets.UTF_8);
    }

    private static ObjectNode request(ObjectNode event) {
        return (ObjectNode) event.get("request");
    }

    private static void assertInvalid(SubjectEventType type, Consumer<ObjectNode> breakIt, String mentioned) {
        SchemaValidation.assertInvalid(Schemas.SUBJECT_EVENT, SampleEvents.subjectEvent(type), breakIt, mentioned);
    }
}
