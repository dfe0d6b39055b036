package io.samtykke.preference;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.samtykke.contract.Schemas;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Checks a payload against the event contract's published JSON Schema, loaded by its $id from the contract jar. */
final class EventSchemas {

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
            b -> b.schemaMappers(m -> m.mapPrefix(Schemas.BASE, "classpath:" + Schemas.RESOURCE_FOLDER)));

    private EventSchemas() {
    }

    static List<String> violations(String schemaId, byte[] json) {
        return FACTORY.getSchema(SchemaLocation.of(schemaId), SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build())
                .validate(new String(json, StandardCharsets.UTF_8), InputFormat.JSON).stream()
                .map(ValidationMessage::getMessage).toList();
    }
}
