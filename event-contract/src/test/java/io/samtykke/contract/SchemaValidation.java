package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads the published schemas by their $id from this module's classpath, as a consumer would, and the
 * assertions the schema tests share: a payload is valid, a broken payload is refused naming what is wrong,
 * the schema file's properties, required fields and enums.
 */
final class SchemaValidation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
            builder -> builder.schemaMappers(mappers -> mappers.mapPrefix(Schemas.BASE, "classpath:" + Schemas.RESOURCE_FOLDER)));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();

    private SchemaValidation() {
    }

    static JsonSchema schema(String id) {
        return FACTORY.getSchema(SchemaLocation.of(id), CONFIG);
    }

    /** The violations, as readable strings; empty when the JSON is valid. */
    static List<String> violations(String schemaId, String json) {
        return schema(schemaId).validate(json, InputFormat.JSON).stream().map(ValidationMessage::getMessage).toList();
    }

    /** {@code payload} as {@link EventJson} writes it has no violation of the schema {@code schemaId}. */
    static void assertValid(String schemaId, Object payload) {
        String json = EventJson.write(payload);
        assertEquals(List.of(), violations(schemaId, json), json);
    }

    /** {@code sample}, written by {@link EventJson} and then broken, violates the schema, and a violation names {@code mentioned}. */
    static void assertInvalid(String schemaId, Object sample, Consumer<ObjectNode> breakIt, String mentioned) {
        ObjectNode broken = tree(sample);
        breakIt.accept(broken);
        List<String> violations = violations(schemaId, broken.toString());
        assertFalse(violations.isEmpty(), "expected a violation for " + mentioned + " in " + broken);
        assertTrue(violations.stream().anyMatch(v -> v.contains(mentioned)),
                "the violations should name " + mentioned + ": " + violations);
    }

    /** {@code payload} as {@link EventJson} writes it, as a tree to change. */
    static ObjectNode tree(Object payload) {
        try {
            return (ObjectNode) JSON.readTree(EventJson.write(payload));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The schema file as published. */
    static JsonNode schemaFile(String schemaId) {
        try (InputStream in = SchemaValidation.class.getClassLoader().getResourceAsStream(Schemas.resource(schemaId))) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names in a schema's {@code required}. */
    static Set<String> required(JsonNode schema) {
        Set<String> required = new HashSet<>();
        schema.get("required").forEach(n -> required.add(n.asText()));
        return required;
    }

    static Set<String> names(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Set<String> enumOf(JsonNode property) {
        Set<String> values = new HashSet<>();
        property.get("enum").forEach(v -> values.add(v.asText()));
        return values;
    }

    static Set<String> constants(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toSet());
    }
}
