package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event contract as code: validates a payload against the JSON Schema (Draft 07, formats asserted)
 * the contract publishes. Producers call it on the exact bytes they are about to commit to their outbox,
 * consumers on what they received, so both sides enforce the same schema.
 */
public final class EventSchemas {

    /** One way a payload breaks its schema: where (a JSON Pointer into the payload) and how. */
    public record Violation(String pointer, String message) {
    }

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
            builder -> builder.schemaMappers(m -> m.mapPrefix(Schemas.BASE, "classpath:" + Schemas.RESOURCE_FOLDER)));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventSchemas() {
    }

    /** The violations of {@code payload} against the schema with this {@code $id} (see {@link Schemas}), sorted by place. */
    public static List<Violation> validate(String schemaId, JsonNode payload) {
        JsonSchema schema = SCHEMAS.computeIfAbsent(schemaId, id -> FACTORY.getSchema(SchemaLocation.of(id), CONFIG));
        return schema.validate(payload).stream()
                .map(m -> new Violation(pointer(m), m.getMessage()))
                .sorted(Comparator.comparing(Violation::pointer).thenComparing(Violation::message))
                .toList();
    }

    /** As {@link #validate(String, JsonNode)}, for the JSON text a producer is about to store. */
    public static List<Violation> validate(String schemaId, String payload) {
        try {
            return validate(schemaId, JSON.readTree(payload));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }

    private static String pointer(ValidationMessage m) {
        String at = m.getInstanceLocation() == null ? "" : m.getInstanceLocation().toString();
        // "$.evidence.source.appId" / "$.changes[0]" → "/evidence/source/appId" / "/changes/0"
        String p = at.replaceFirst("^\\$", "").replaceAll("\\[(\\d+)]", ".$1").replace('.', '/');
        // a missing required property is reported at its parent: name the property itself
        if ("required".equals(m.getType()) && m.getProperty() != null) {
            p = p + "/" + m.getProperty();
        }
        return p;
    }
}
