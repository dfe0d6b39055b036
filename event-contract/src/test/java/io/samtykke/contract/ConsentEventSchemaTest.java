package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.samtykke.contract.SchemaValidation.assertValid;
import static io.samtykke.contract.SchemaValidation.constants;
import static io.samtykke.contract.SchemaValidation.enumOf;
import static io.samtykke.contract.SchemaValidation.names;
import static io.samtykke.contract.SchemaValidation.required;
import static io.samtykke.contract.SchemaValidation.schemaFile;
import static io.samtykke.contract.SchemaValidation.tree;
import static io.samtykke.contract.SchemaValidation.violations;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ConsentEventSchemaTest {

    @Test
    void aFullConsentEventSerializedByEventJsonIsValid() {
        assertValid(Schemas.CONSENT_EVENT, SampleEvents.fullGrant());
    }

    @Test
    void aSystemExpiryWithoutNoticeOrClientDataIsValid() {
        assertValid(Schemas.CONSENT_EVENT, SampleEvents.systemExpiry());
    }

    @Test
    void everyEventTypeAndEveryEnumValueProducedInJavaIsValid() {
        for (ConsentEventType type : ConsentEventType.values()) {
            for (Channel channel : Channel.values()) {
                for (LegalBasis basis : LegalBasis.values()) {
                    assertValid(Schemas.CONSENT_EVENT, SampleEvents.fullGrant(type.state(), channel, basis));
                }
            }
        }
    }

    @Test
    void theSerializedFieldsAreExactlyTheSchemaProperties() {
        JsonNode event = tree(SampleEvents.fullGrant());
        JsonNode schema = schemaFile(Schemas.CONSENT_EVENT);
        assertEquals(names(schema.get("properties")), names(event), "top-level fields");
        JsonNode defs = schema.get("definitions");
        assertEquals(names(defs.get("notice").get("properties")), names(event.get("notice")), "notice fields");
        JsonNode confirmed = tree(SampleEvents.confirmedGrant());
        assertEquals(names(defs.get("evidence").get("properties")), names(confirmed.get("evidence")), "evidence fields");
        assertEquals(names(defs.get("evidence").get("properties").get("confirmation").get("properties")),
                names(confirmed.get("evidence").get("confirmation")), "evidence.confirmation fields");
        assertEquals(names(defs.get("evidence").get("properties").get("source").get("properties")),
                names(event.get("evidence").get("source")), "evidence.source fields");
        assertEquals(names(defs.get("evidence").get("properties").get("actor").get("properties")),
                names(event.get("evidence").get("actor")), "evidence.actor fields");
    }

    @Test
    void theRequiredFieldsAreTheOnesTheJavaProducerAlwaysWrites() {
        assertEquals(names(tree(SampleEvents.systemExpiry())), required(schemaFile(Schemas.CONSENT_EVENT)));
    }

    @Test
    void theSchemaEnumsAreExactlyTheJavaEnums() {
        JsonNode p = schemaFile(Schemas.CONSENT_EVENT).get("properties");
        assertEquals(constants(Channel.values()), enumOf(p.get("channel")));
        assertEquals(constants(PurposeCategory.values()), enumOf(p.get("category")));
        assertEquals(constants(LegalBasis.values()), enumOf(p.get("legalBasis")));
        assertEquals(constants(ConsentAction.values()), enumOf(p.get("action")));
        assertEquals(constants(ConsentState.values()), enumOf(p.get("previousState")));
        Set<String> statesWithAType = Arrays.stream(ConsentEventType.values())
                .map(t -> t.state().name()).collect(Collectors.toSet());
        assertEquals(statesWithAType, enumOf(p.get("state")));
        assertEquals(constants(ActorType.values()),
                enumOf(schemaFile(Schemas.CONSENT_EVENT).at("/definitions/evidence/properties/actor/properties/type")));
    }

    @Test
    void eventJsonReadsBackWhatItWrote() {
        ConsentEvent e = SampleEvents.fullGrant();
        assertEquals(e, EventJson.read(EventJson.write(e), ConsentEvent.class));
        ConsentEvent minimal = SampleEvents.systemExpiry();
        assertEquals(minimal, EventJson.read(EventJson.write(minimal), ConsentEvent.class));
    }

    static Stream<String> requiredFields() {
        return required(schemaFile(Schemas.CONSENT_EVENT)).stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("requiredFields")
    void anEventMissingARequiredFieldIsRejected(String field) {
        assertInvalid(event -> event.remove(field), field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"channel", "category", "legalBasis", "action", "previousState", "state"})
    void anUnknownEnumValueIsRejected(String field) {
        assertInvalid(event -> event.put(field, "FAX"), field);
    }

    @Test
    void stateNoneIsRejectedBecauseItHasNoEventType() {
        assertInvalid(event -> event.put("state", "NONE"), "state");
    }

    @Test
    void anExtraTopLevelFieldIsRejected() {
        assertInvalid(event -> event.put("eventType", "io.samtykke.consent.granted.v1"), "eventType");
    }

    @Test
    void anExtraNestedFieldIsRejected() {
        assertInvalid(event -> ((ObjectNode) event.get("evidence")).put("ip", "192.0.2.17"), "ip");
        assertInvalid(event -> ((ObjectNode) event.get("notice")).put("text", "Vi sender dig nyheder"), "text");
    }

    @Test
    void malformedValuesAreRejected() {
        assertInvalid(event -> event.put("eventId", "not-a-uuid"), "eventId");
        assertInvalid(event -> event.put("eventId", "3F0C6A52-8A1E-4B59-9A43-2F1F5C7D9E01"), "eventId");
        assertInvalid(event -> event.put("subjectSeq", 0), "subjectSeq");
        assertInvalid(event -> event.put("subjectSeq", "1"), "subjectSeq");
        assertInvalid(event -> event.put("tenantId", "acme/eu"), "tenantId");
        assertInvalid(event -> event.put("purpose", ""), "purpose");
        assertInvalid(event -> event.put("occurredAt", 1772442900), "occurredAt");
        assertInvalid(event -> event.put("occurredAt", "2026-03-02T10:15:00+01:00"), "occurredAt");
        assertInvalid(event -> event.put("recordedAt", "2026-13-02T09:15:00Z"), "recordedAt");
        assertInvalid(event -> event.putNull("expiresAt"), "expiresAt");
        assertInvalid(event -> ((ObjectNode) event.get("notice")).put("contentSha256", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"), "contentSha256");
        assertInvalid(event -> ((ObjectNode) event.get("notice")).put("contentSha256", "abc"), "contentSha256");
        assertInvalid(event -> ((ObjectNode) event.get("evidence")).put("ipPrefix", "192.0.2.17"), "ipPrefix");
        assertInvalid(event -> ((ObjectNode) event.get("evidence")).put("ipPrefix", "300.0.2.0/24"), "ipPrefix");
        assertInvalid(event -> ((ObjectNode) event.get("evidence").get("actor")).put("type", "ROBOT"), "actor");
    }

    @Test
    void aConfirmedDoubleOptInWithItsProofIsValid() {
        assertValid(Schemas.CONSENT_EVENT, SampleEvents.confirmedGrant());
    }

    @Test
    void aConfirmationWithoutItsTokenIdOrWithAnExtraFieldIsRejected() {
        SchemaValidation.assertInvalid(Schemas.CONSENT_EVENT, SampleEvents.confirmedGrant(),
                event -> ((ObjectNode) event.get("evidence").get("confirmation")).remove("tokenId"), "tokenId");
        SchemaValidation.assertInvalid(Schemas.CONSENT_EVENT, SampleEvents.confirmedGrant(),
                event -> ((ObjectNode) event.get("evidence").get("confirmation")).put("token", "secret"), "token");
    }

    @Test
    void ipv6PrefixesAreAccepted() {
        ObjectNode event = tree(SampleEvents.fullGrant());
        ((ObjectNode) event.get("evidence")).put("ipPrefix", "2001:db8:1234::/48");
        assertEquals(List.of(), violations(Schemas.CONSENT_EVENT, event.toString()));
    }

    private static void assertInvalid(Consumer<ObjectNode> breakIt, String mentioned) {
        SchemaValidation.assertInvalid(Schemas.CONSENT_EVENT, SampleEvents.fullGrant(), breakIt, mentioned);
    }
}
