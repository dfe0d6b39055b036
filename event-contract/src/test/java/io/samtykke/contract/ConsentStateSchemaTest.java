package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
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

class ConsentStateSchemaTest {

    @Test
    void aSnapshotSerializedByEventJsonIsValid() {
        assertValid(Schemas.CONSENT_STATE, SampleEvents.snapshot());
    }

    @Test
    void aSnapshotWithoutNoticeOrExpiryIsValidInEveryState() {
        for (ConsentState state : ConsentState.values()) {
            var s = new ConsentStateSnapshot("acme", "user-7", "gps-tracking", state, 3, UUID.randomUUID(), null,
                    Instant.parse("2026-03-02T09:15:00Z"), null);
            assertValid(Schemas.CONSENT_STATE, s);
        }
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() {
        JsonNode snapshot = tree(SampleEvents.snapshot());
        assertEquals(names(schemaFile(Schemas.CONSENT_STATE).get("properties")), names(snapshot));
        assertEquals(constants(ConsentState.values()), enumOf(schemaFile(Schemas.CONSENT_STATE).get("properties").get("state")));
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
    void theRequiredFieldsAreTheOnesTheJavaProducerAlwaysWrites() {
        var minimal = new ConsentStateSnapshot("acme", "user-7", "gps-tracking", ConsentState.DENIED, 2,
                UUID.randomUUID(), null, Instant.parse("2026-03-02T09:15:00Z"), null);
        assertEquals(names(tree(minimal)), required(schemaFile(Schemas.CONSENT_STATE)));
    }

    private static void assertInvalid(Consumer<ObjectNode> breakIt, String mentioned) {
        SchemaValidation.assertInvalid(Schemas.CONSENT_STATE, SampleEvents.snapshot(), breakIt, mentioned);
    }
}
