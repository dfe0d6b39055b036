package io.samtykke.contract;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.List;

/** Loads the published schemas by their $id from this module's classpath, as a consumer would. */
final class SchemaValidation {

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
}
