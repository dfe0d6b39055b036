package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import static io.samtykke.contract.ConsentEventSchemaTest.constants;
import static io.samtykke.contract.ConsentEventSchemaTest.enumOf;
import static io.samtykke.contract.ConsentEventSchemaTest.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsentStateSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSnapshotSerializedByEventJsonIsValid() {
        String json = EventJson.write(SampleEvents.snapshot());
        assertEquals(List.of(), SchemaValidation.violations(Schemas.CONSENT_STATE, json), json);
    }

    @Test
    void aSnapshotWithoutNoticeOrExpiryIsValidInEveryState() {
        for (ConsentState state : ConsentState.values()) {
            var s = new ConsentStateSnapshot("acme", "user-7", "gps-tracking", state, 3, UUID.randomUUID(), null,
                    Instant.parse("2026-03-02T09:15:00Z"), null);
            String json = EventJson.write(s);
            assertEquals(List.of(), SchemaValidation.violations(Schemas.CONSENT_STATE, json), json);
        }
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() throws IOException {
        JsonNode snapshot = JSON.readTree(EventJson.write(SampleEvents.snapshot()));
        assertEquals(names(schemaFile().get("properties")), names(snapshot));
        assertEquals(constants(ConsentState.values()), enumOf(schemaFile().get("properties").get("state")));
    }

    @Test
    void theKeyIsTenantSubjectAndPurpose() {
        assertEquals("acme/user-42/newsletter", SampleEvents.snapshot().key());
        assertEquals(SampleEvents.snapshot(), EventJson.read(EventJson.write(SampleEvents.snapshot()), ConsentStateSnapshot.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenantId", "subjectId", "purpose", "state", "subjectSeq", "eventId", "updatedAt"})
    void aSnapshotMissingARequiredFieldIsRejected(String field) {
        assertInvalid(s -> s.remove(field), field);
    }

    @Test
    void badValuesAndExtraFieldsAreRejected() {
        assertInvalid(s -> s.put("state", "MAYBE"), "state");
        assertInvalid(s -> s.put("subjectSeq", 0), "subjectSeq");
        assertInvalid(s -> s.put("eventId", "42"), "eventId");
        assertInvalid(s -> s.put("updatedAt", "yesterday"), "updatedAt");
        assertInvalid(s -> s.put("purpose", "a/b"), "purpose");
        assertInvalid(s -> s.put("key", "acme/user-42/newsletter"), "key");
    }

    @Test
    void theRequiredFieldsAreTheOnesTheJavaProducerAlwaysWrites() throws IOException {
        var minimal = new ConsentStateSnapshot("acme", "user-7", "gps-tracking", ConsentState.DENIED, 2,
                UUID.randomUUID(), null, Instant.parse("2026-03-02T09:15:00Z"), null);
        Set<String> required = new HashSet<>();
        schemaFile().get("required").forEach(n -> required.add(n.asText()));
        assertEquals(names(JSON.readTree(EventJson.write(minimal))), required);
    }

    private static void assertInvalid(Consumer<ObjectNode> breakIt, String mentioned) {
        ObjectNode snapshot;
        try {
            snapshot = (ObjectNode) JSON.readTree(EventJson.write(SampleEvents.snapshot()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        breakIt.accept(snapshot);
        List<String> violations = SchemaValidation.violations(Schemas.CONSENT_STATE, snapshot.toString());
        assertFalse(violations.isEmpty(), "expected a violation for " + mentioned + " in " + snapshot);
        assertTrue(violations.stream().anyMatch(v -> v.contains(mentioned)),
                "the violations should name " + mentioned + ": " + violations);
    }

    private static JsonNode schemaFile() throws IOException {
        try (InputStream in = ConsentStateSchemaTest.class.getClassLoader()
                .getResourceAsStream(Schemas.resource(Schemas.CONSENT_STATE))) {
            return JSON.readTree(in);
        }
    }
}
