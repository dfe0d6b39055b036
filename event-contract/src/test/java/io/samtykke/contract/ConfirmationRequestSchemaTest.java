package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static io.samtykke.contract.SchemaValidation.assertValid;
import static io.samtykke.contract.SchemaValidation.constants;
import static io.samtykke.contract.SchemaValidation.enumOf;
import static io.samtykke.contract.SchemaValidation.names;
import static io.samtykke.contract.SchemaValidation.required;
import static io.samtykke.contract.SchemaValidation.schemaFile;
import static io.samtykke.contract.SchemaValidation.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConfirmationRequestSchemaTest {

    @Test
    void aConfirmationRequestSerializedByEventJsonIsValid() {
        assertValid(Schemas.CONFIRMATION_REQUEST, SampleEvents.confirmationRequest());
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaPropertiesAndAllButTheLanguageAreRequired() {
        JsonNode event = tree(SampleEvents.confirmationRequest());
        JsonNode schema = schemaFile(Schemas.CONFIRMATION_REQUEST);
        assertEquals(names(schema.get("properties")), names(event));
        ((ObjectNode) event).remove("language");
        assertEquals(required(schema), names(event));
    }

    @Test
    void theChannelsAreThoseOfTheContract() {
        assertEquals(constants(Channel.values()), enumOf(schemaFile(Schemas.CONFIRMATION_REQUEST).at("/properties/channel")));
    }

    @Test
    void aTokenOfAnotherShapeOrAMissingLinkIsRejected() {
        SchemaValidation.assertInvalid(Schemas.CONFIRMATION_REQUEST, SampleEvents.confirmationRequest(),
                e -> e.put("token", "short"), "token");
        SchemaValidation.assertInvalid(Schemas.CONFIRMATION_REQUEST, SampleEvents.confirmationRequest(),
                e -> e.remove("confirmationUrl"), "confirmationUrl");
    }

    @Test
    void theTopicNamesItsSchema() {
        assertEquals(Schemas.CONFIRMATION_REQUEST, Schemas.forRecord(Topics.CONSENT_CONFIRMATIONS, ConfirmationRequest.TYPE));
    }
}
