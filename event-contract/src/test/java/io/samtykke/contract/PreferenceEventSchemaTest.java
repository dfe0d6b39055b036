package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
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

class PreferenceEventSchemaTest {

    @Test
    void aPreferenceEventSerializedByEventJsonIsValid() {
        assertValid(Schemas.PREFERENCE_EVENT, SampleEvents.preferenceEvent());
    }

    @Test
    void emptyPreferencesAreValid() {
        var event = new PreferenceEvent(UUID.randomUUID(), "acme", "user-7", 1, Preferences.NONE, Instant.parse("2026-03-02T09:15:00Z"));
        assertValid(Schemas.PREFERENCE_EVENT, event);
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() {
        JsonNode event = tree(SampleEvents.preferenceEvent());
        assertEquals(names(schemaFile(Schemas.PREFERENCE_EVENT).get("properties")), names(event));
        assertEquals(names(schemaFile(Schemas.PREFERENCE_EVENT).at("/definitions/preferences/properties")), names(event.get("preferences")));
    }

    @Test
    void theRequiredFieldsAreTheOnesTheJavaProducerAlwaysWrites() {
        var minimal = new PreferenceEvent(UUID.randomUUID(), "acme", "user-7", 1, Preferences.NONE, Instant.now());
        JsonNode json = tree(minimal);
        assertEquals(required(schemaFile(Schemas.PREFERENCE_EVENT)), names(json));
        assertEquals(required(schemaFile(Schemas.PREFERENCE_EVENT).at("/definitions/preferences")), names(json.get("preferences")));
    }

    @Test
    void theChannelEnumsAreTheContactChannels() {
        Set<String> contact = constants(new Channel[]{Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.PHONE, Channel.IN_APP, Channel.POST});
        JsonNode p = schemaFile(Schemas.PREFERENCE_EVENT).at("/definitions/preferences/properties");
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

    private static void assertInvalid(Consumer<ObjectNode> breakIt, String mentioned) {
        SchemaValidation.assertInvalid(Schemas.PREFERENCE_EVENT, SampleEvents.preferenceEvent(), breakIt, mentioned);
    }
}
