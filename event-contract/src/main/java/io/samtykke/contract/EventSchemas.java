package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

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

    /** An event as a producer stores it (its JSON text) and how it breaks the schema (empty: it keeps the contract). */
    public record Checked(String json, List<Violation> violations) {
    }

    /** Maps {@code event} once ({@link EventJson}), validates that tree and writes it: the checked JSON is the stored JSON. */
    public static Checked check(String schemaId, Object event) {
        JsonNode tree = EventJson.tree(event);
        return new Checked(EventJson.write(tree), validate(schemaId, tree));
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
