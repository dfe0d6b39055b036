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

class PreferenceEventSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPreferenceEventSerializedByEventJsonIsValid() {
        String json = EventJson.write(SampleEvents.preferenceEvent());
        assertEquals(List.of(), SchemaValidation.violations(Schemas.PREFERENCE_EVENT, json), json);
    }

    @Test
    void emptyPreferencesAreValid() {
        var event = new PreferenceEvent(UUID.randomUUID(), "acme", "user-7", 1, Preferences.NONE, Instant.parse("2026-03-02T09:15:00Z"));
        String json = EventJson.write(event);
        assertEquals(List.of(), SchemaValidation.violations(Schemas.PREFERENCE_EVENT, json), json);
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() throws IOException {
        JsonNode event = JSON.readTree(EventJson.write(SampleEvents.preferenceEvent()));
        assertEquals(names(schemaFile().get("properties")), names(event));
        assertEquals(names(schemaFile().at("/definitions/preferences/properties")), names(event.get("preferences")));
    }

    @Test
    void theRequiredFieldsAreTheOnesTheJavaProducerAlwaysWrites() throws IOException {
        var minimal = new PreferenceEvent(UUID.randomUUID(), "acme", "user-7", 1, Preferences.NONE, Instant.now());
        JsonNode json = JSON.readTree(EventJson.write(minimal));
        assertEquals(required(schemaFile()), names(json));
        assertEquals(required(schemaFile().at("/definitions/preferences")), names(json.get("preferences")));
    }

    @Test
    void theChannelEnumsAreTheContactChannels() throws IOException {
        Set<String> contact = constants(new Channel[]{Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.PHONE, Channel.IN_APP, Channel.POST});
        JsonNode p = schemaFile().at("/definitions/preferences/properties");
        assertEquals(contact, enumOf(p.get("preferredChannel")));
        assertEquals(contact, enumOf(p.at("/frequencyCaps/propertyNames")));
        assertEquals(constants(FrequencyCap.Period.values()), enumOf(p.at("/frequencyCaps/additionalProperties/properties/per")));
    }

    @Test
    void eventJsonReadsBackWhatItWrote() {
        PreferenceEvent e = SampleEvents.preferenceEvent();
        assertEquals(e, EventJson.read(EventJson.write(e), PreferenceEvent.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventId", "tenantId", "subjectId", "version", "preferences", "updatedAt"})
    void anEventMissingARequiredFieldIsRejected(String field) {
        assertInvalid(e -> e.remove(field), field);
    }

    @Test
    void badValuesAndExtraFieldsAreRejected() {
        assertInvalid(e -> e.put("version", 0), "version");
        assertInvalid(e -> e.put("eventId", "42"), "eventId");
        assertInvalid(e -> e.put("updatedAt", "2026-03-02T10:15:00+01:00"), "updatedAt");
        assertInvalid(e -> e.put("subjectSeq", 3), "subjectSeq");
        assertInvalid(e -> prefs(e).put("preferredChannel", "COOKIE"), "preferredChannel");
        assertInvalid(e -> prefs(e).putArray("topics").add("Ride Offers"), "topics");
        assertInvalid(e -> prefs(e).putArray("topics").add("news").add("news"), "topics");
        assertInvalid(e -> ((ObjectNode) prefs(e).get("frequencyCaps")).putObject("LOCATION").put("max", 1).put("per", "DAY"), "LOCATION");
        assertInvalid(e -> ((ObjectNode) prefs(e).get("frequencyCaps").get("EMAIL")).put("max", 0), "max");
        assertInvalid(e -> ((ObjectNode) prefs(e).get("quietHours")).put("start", "24:00"), "start");
        assertInvalid(e -> prefs(e).put("quietHour", "22:00"), "quietHour");
    }

    private static ObjectNode prefs(ObjectNode event) {
        return (ObjectNode) event.get("preferences");
    }

    private static Set<String> required(JsonNode schema) {
        Set<String> required = new HashSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        return required;
    }

    private static void assertInvalid(Consumer<ObjectNode> breakIt, String mentioned) {
        ObjectNode event;
        try {
            event = (ObjectNode) JSON.readTree(EventJson.write(SampleEvents.preferenceEvent()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        breakIt.accept(event);
        List<String> violations = SchemaValidation.violations(Schemas.PREFERENCE_EVENT, event.toString());
        assertFalse(violations.isEmpty(), "expected a violation for " + mentioned + " in " + event);
        assertTrue(violations.stream().anyMatch(v -> v.contains(mentioned)),
                "the violations should name " + mentioned + ": " + violations);
    }

    private static JsonNode schemaFile() throws IOException {
        try (InputStream in = PreferenceEventSchemaTest.class.getClassLoader()
                .getResourceAsStream(Schemas.resource(Schemas.PREFERENCE_EVENT))) {
            return JSON.readTree(in);
        }
    }
}
