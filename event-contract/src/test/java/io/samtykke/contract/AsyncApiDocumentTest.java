package io.samtykke.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncApiDocumentTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String DOC = "classpath:" + Schemas.ASYNCAPI_RESOURCE;
    /** The document's own keywords (asyncapi, channels, ...) are annotations when a part of it is read as a schema. */
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
            builder -> builder
                    .metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV7())
                            .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                            .build())
                    .schemaMappers(mappers -> mappers.mapPrefix(Schemas.BASE, "classpath:" + Schemas.RESOURCE_FOLDER)));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private static JsonNode doc;

    @BeforeAll
    static void parse() throws IOException {
        try (InputStream in = AsyncApiDocumentTest.class.getClassLoader().getResourceAsStream(Schemas.ASYNCAPI_RESOURCE)) {
            assertNotNull(in, "asyncapi.yaml is on the classpath");
            doc = YAML.readTree(in);
        }
    }

    @Test
    void itIsAnAsyncApi3DocumentWithAKafkaServer() {
        assertEquals("3.0.0", doc.path("asyncapi").asText());
        assertEquals("samtykke event contract", doc.path("info").path("title").asText());
        assertTrue(doc.path("info").path("version").asText().matches("\\d+\\.\\d+\\.\\d+"),
                "a semantic version: " + doc.path("info").path("version").asText());
        assertEquals("application/json", doc.path("defaultContentType").asText());
        List<String> servers = new java.util.ArrayList<>();
        doc.path("servers").fieldNames().forEachRemaining(servers::add);
        assertEquals(List.of("local", "cluster"), servers);
        assertEquals("127.0.0.1:9092", doc.path("servers").path("local").path("host").asText(), "the local cluster's broker");
        assertEquals("{bootstrap}", doc.path("servers").path("cluster").path("host").asText(), "set per installation");
        doc.path("servers").forEach(server -> assertEquals("kafka", server.path("protocol").asText()));
    }

    @Test
    void everyTopicOfTheContractIsAChannelAndNoOtherIs() throws IllegalAccessException {
        Set<String> topics = new HashSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                topics.add((String) f.get(null));
            }
        }
        Set<String> addresses = new HashSet<>();
        doc.path("channels").forEach(channel -> {
            addresses.add(channel.path("address").asText());
            assertEquals(channel.path("address").asText(), channel.at("/bindings/kafka/topic").asText());
        });
        assertEquals(topics, addresses);
    }

    @Test
    void everyReferenceResolvesInsideTheDocumentOrToAFileInTheJar() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertTrue(refs.size() > 20, "the document uses references: " + refs.size());
        for (String ref : refs) {
            if (ref.startsWith("#")) {
                assertFalse(doc.at(ref.substring(1)).isMissingNode(), "unresolved reference " + ref);
            } else {
                String file = ref.startsWith("./") ? ref.substring(2) : ref;
                assertTrue(file.startsWith(Schemas.RESOURCE_FOLDER), "external references point into schemas/: " + ref);
                assertNotNull(getClass().getClassLoader().getResource(file), "referenced file is missing: " + ref);
            }
        }
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.CONSENT_EVENT)));
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.CONSENT_STATE)));
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.PREFERENCE_EVENT)));
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.CONFIRMATION_REQUEST)));
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.SUBJECT_EVENT)));
        assertTrue(refs.contains("./" + Schemas.resource(Schemas.SUBJECT_EXPORT_PART)));
    }

    @Test
    void theEventsChannelCarriesEveryTypeAndTheOptOutChannelOnlyTheOptOuts() {
        Set<String> all = Arrays.stream(ConsentEventType.values()).map(ConsentEventType::type).collect(Collectors.toSet());
        Set<String> optOuts = Arrays.stream(ConsentEventType.values()).filter(ConsentEventType::isOptOut)
                .map(ConsentEventType::type).collect(Collectors.toSet());
        assertEquals(all, typesOf(channel(Topics.CONSENT_EVENTS)));
        Arrays.stream(SubjectEventType.values()).filter(SubjectEventType::isOptOut).map(SubjectEventType::type)
                .forEach(optOuts::add);
        assertEquals(optOuts, typesOf(channel(Topics.CONSENT_OPTOUTS)), "consent and person-wide opt-outs");
        assertEquals(Set.of(ConsentStateSnapshot.TYPE), typesOf(channel(Topics.CONSENT_STATE)));
        assertEquals(Set.of(PreferenceEvent.TYPE), typesOf(channel(Topics.PREFERENCE_EVENTS)));
        assertEquals(Set.of(ConfirmationRequest.TYPE), typesOf(channel(Topics.CONSENT_CONFIRMATIONS)));
        Set<String> subjectTopic = Arrays.stream(SubjectEventType.values()).map(SubjectEventType::type).collect(Collectors.toSet());
        subjectTopic.add(SubjectExportPart.TYPE);
        assertEquals(subjectTopic, typesOf(channel(Topics.SUBJECT_EVENTS)));
    }

    @Test
    void theSubjectHeaderSchemaListsEverySubjectTypeAndOnlyThose() {
        Set<String> listed = new HashSet<>();
        doc.at("/components/schemas/SubjectEventHeaders/properties/ce_type/enum").forEach(t -> listed.add(t.asText()));
        assertEquals(Arrays.stream(SubjectEventType.values()).map(SubjectEventType::type).collect(Collectors.toSet()), listed);
        listed.forEach(t -> assertTrue(SubjectEventType.isSubjectType(t), t));
        Arrays.stream(ConsentEventType.values()).forEach(t -> assertFalse(SubjectEventType.isSubjectType(t.type()), t.type()));
    }

    @Test
    void theStateTopicIsCompactedAndKeyedByPurpose() {
        JsonNode state = channel(Topics.CONSENT_STATE);
        assertEquals("compact", state.at("/bindings/kafka/topicConfiguration/cleanup.policy/0").asText());
        JsonNode key = resolve(doc.at("/components/messages/ConsentState/bindings/kafka/key"));
        assertTrue("acme/user-42/newsletter".matches(key.path("pattern").asText()));
        assertFalse("acme/user-42".matches(key.path("pattern").asText()));
        assertEquals("null", doc.at("/components/messages/ConsentStateTombstone/payload/type").asText());
    }

    @Test
    void consentEventsAreKeyedByTenantAndSubject() {
        JsonNode key = resolve(doc.at("/components/messageTraits/ConsentEvent/bindings/kafka/key"));
        assertTrue(SampleEvents.fullGrant().partitionKey().matches(key.path("pattern").asText()));
    }

    @Test
    void theServicesSendAndTheConsumersReceive() {
        Map<String, Set<String>> sends = operations("send");
        Map<String, Set<String>> receives = operations("receive");
        assertEquals(Set.of(Topics.CONSENT_EVENTS, Topics.CONSENT_OPTOUTS, Topics.CONSENT_STATE, Topics.PREFERENCE_EVENTS,
                Topics.CONSENT_CONFIRMATIONS, Topics.SUBJECT_EVENTS), sends.keySet());
        assertFalse(String.join(" ", receives.getOrDefault(Topics.CONSENT_CONFIRMATIONS, Set.of())).contains("audit-service"),
                "the confirmation tokens are secrets of the person: audit-service does not archive them");
        assertTrue(String.join(" ", sends.get(Topics.PREFERENCE_EVENTS)).contains("preference-service"));
        assertTrue(String.join(" ", sends.get(Topics.SUBJECT_EVENTS)).contains("consent-service"));
        assertTrue(receives.containsKey(Topics.PREFERENCE_EVENTS));
        String subjectConsumers = String.join(" ", receives.get(Topics.SUBJECT_EVENTS));
        assertTrue(subjectConsumers.contains("audit-service") && subjectConsumers.contains("preference-service"), subjectConsumers);
        assertTrue(receives.keySet().containsAll(Set.of(Topics.CONSENT_EVENTS, Topics.CONSENT_OPTOUTS, Topics.CONSENT_STATE)));
        String consumers = String.join(" ", receives.values().stream().flatMap(Set::stream).toList());
        assertTrue(consumers.contains("audit-service") && consumers.contains("preference-service")
                && consumers.contains("Marketing"), consumers);
        doc.path("operations").forEach(op -> op.path("messages").forEach(m -> {
            String ref = m.path("$ref").asText();
            assertTrue(ref.startsWith(op.at("/channel/$ref").asText() + "/messages/"),
                    "an operation's messages belong to its channel: " + ref);
            assertFalse(doc.at(ref.substring(1)).isMissingNode(), ref);
        }));
    }

    @Test
    void everyChannelIsProducedAndOnlyTheTombstoneIsStillReserved() {
        doc.path("channels").forEach(channel -> {
            assertFalse(channel.path("tags").toString().contains("not-yet-produced"), channel.path("address").asText());
            assertTrue(operations("send").containsKey(channel.path("address").asText()), channel.path("address").asText());
        });
        assertEquals("not-yet-produced", doc.at("/components/messages/ConsentStateTombstone/tags/0/name").asText());
    }

    @Test
    void theHeaderSchemaRequiresWhatTheKafkaBindingAndOurExtensionsNeed() {
        JsonNode headers = doc.at("/components/schemas/CloudEventHeaders");
        Set<String> required = new HashSet<>();
        headers.path("required").forEach(n -> required.add(n.asText()));
        assertEquals(Set.of(CloudEventHeaders.SPECVERSION, CloudEventHeaders.ID, CloudEventHeaders.SOURCE,
                CloudEventHeaders.TYPE, CloudEventHeaders.TIME, CloudEventHeaders.SUBJECT, CloudEventHeaders.TENANT_ID,
                CloudEventHeaders.SUBJECT_SEQ, CloudEventHeaders.PARTITION_KEY, CloudEventHeaders.KAFKA_CONTENT_TYPE), required);
        Set<String> described = SchemaValidation.names(headers.path("properties"));
        assertTrue(described.containsAll(Set.of(CloudEventHeaders.DATASCHEMA, CloudEventHeaders.TRACEPARENT)), described.toString());
    }

    @Test
    void theHeadersCloudEventHeadersWritesMatchTheMessageHeaderSchemas() {
        for (ConsentEventType type : ConsentEventType.values()) {
            ConsentEvent typed = SampleEvents.fullGrantEndingIn(type.state());
            ObjectNode headers = json(CloudEventHeaders.forEvent(typed, "/samtykke/consent-service",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            assertEquals(List.of(), violations(messagePointer(type.type()) + "/headers", headers), type.type());
        }
        ConsentStateSnapshot s = SampleEvents.snapshot();
        ObjectNode state = json(CloudEventHeaders.forSnapshot(s, UUID.randomUUID(), "/samtykke/consent-service", s.updatedAt(), null));
        assertEquals(List.of(), violations("/components/messages/ConsentState/headers", state));
        ObjectNode preference = json(CloudEventHeaders.forPreferenceEvent(SampleEvents.preferenceEvent(),
                "/samtykke/preference-service", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
        assertEquals(List.of(), violations("/components/messages/PreferenceUpdated/headers", preference));
        ObjectNode confirmation = json(CloudEventHeaders.forConfirmationRequest(SampleEvents.confirmationRequest(),
                "/samtykke/consent-service", null));
        assertEquals(List.of(), violations("/components/messages/ConfirmationRequested/headers", confirmation));
        for (SubjectEventType type : SubjectEventType.values()) {
            ObjectNode subject = json(CloudEventHeaders.forSubjectEvent(SampleEvents.subjectEvent(type), "/samtykke/consent-service",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
            assertEquals(List.of(), violations(messagePointer(type.type()) + "/headers", subject), type.type());
        }
    }

    @Test
    void theSubjectHeaderSchemaRejectsAPurposeSubjectAndOtherTypes() {
        String objected = messagePointer(SubjectEventType.OBJECTED.type()) + "/headers";
        ObjectNode good = json(CloudEventHeaders.forSubjectEvent(SampleEvents.subjectEvent(SubjectEventType.OBJECTED),
                "/samtykke/consent-service", null));
        assertEquals(List.of(), violations(objected, good));
        assertRejected(objected, good, h -> h.put("ce_subject", "newsletter"), "ce_subject");
        assertRejected(objected, good, h -> h.put("ce_type", SubjectEventType.RESTRICTED.type()), "ce_type");
        assertRejected(objected, good, h -> h.put("ce_type", ConsentEventType.OBJECTED.type()), "ce_type");
        assertRejected(objected, good, h -> h.put("ce_dataschema", Schemas.CONSENT_EVENT), "ce_dataschema");
        assertRejected(objected, good, h -> h.remove("ce_subjectseq"), "ce_subjectseq");
    }

    @Test
    void thePreferenceHeaderSchemaRejectsASubjectAndConsentTypes() {
        String headers = "/components/messages/PreferenceUpdated/headers";
        ObjectNode good = json(CloudEventHeaders.forPreferenceEvent(SampleEvents.preferenceEvent(), "/samtykke/preference-service", null));
        assertEquals(List.of(), violations(headers, good));
        assertRejected(headers, good, h -> h.put("ce_subject", "newsletter"), "ce_subject");
        assertRejected(headers, good, h -> h.put("ce_type", ConsentEventType.GRANTED.type()), "ce_type");
        assertRejected(headers, good, h -> h.put("ce_dataschema", Schemas.CONSENT_EVENT), "ce_dataschema");
        assertRejected(headers, good, h -> h.remove("ce_subjectseq"), "ce_subjectseq");
    }

    @Test
    void theHeaderSchemasRejectBrokenHeaders() {
        String granted = messagePointer(ConsentEventType.GRANTED.type()) + "/headers";
        ObjectNode good = json(CloudEventHeaders.forEvent(SampleEvents.fullGrant(), "/samtykke/consent-service", null));
        assertEquals(List.of(), violations(granted, good));
        assertRejected(granted, good, h -> h.put("ce_specversion", "0.3"), "ce_specversion");
        assertRejected(granted, good, h -> h.put("ce_subjectseq", "0"), "ce_subjectseq");
        assertRejected(granted, good, h -> h.put("ce_type", ConsentEventType.WITHDRAWN.type()), "ce_type");
        assertRejected(granted, good, h -> h.put("ce_datacontenttype", "application/json"), "ce_datacontenttype");
        assertRejected(granted, good, h -> h.put("ce_dataschema", Schemas.CONSENT_STATE), "ce_dataschema");
        assertRejected(granted, good, h -> h.remove("ce_tenantid"), "ce_tenantid");
    }

    @Test
    void theExamplesInTheDocumentAreValid() {
        int examples = 0;
        var messages = doc.at("/components/messages").fields();
        while (messages.hasNext()) {
            var message = messages.next();
            String pointer = "/components/messages/" + message.getKey();
            for (JsonNode example : message.getValue().path("examples")) {
                examples++;
                assertEquals(List.of(), violations(pointer + "/headers", example.path("headers")), pointer);
                assertEquals(List.of(), violations(pointer + "/payload", example.path("payload")), pointer);
                assertEquals(example.at("/headers/ce_subject").asText(), example.at("/payload/purpose").asText());
                assertEquals(example.at("/headers/ce_tenantid").asText(), example.at("/payload/tenantId").asText());
                JsonNode seq = example.at("/payload/subjectSeq").isMissingNode()
                        ? example.at("/payload/version") : example.at("/payload/subjectSeq");
                assertEquals(example.at("/headers/ce_subjectseq").asText(), seq.asText());
            }
        }
        assertTrue(examples >= 4, "examples: " + examples);
    }

    private static List<String> violations(String pointer, JsonNode instance) {
        JsonSchema schema = FACTORY.getSchema(SchemaLocation.of(DOC + "#" + pointer), CONFIG);
        return schema.validate(instance.toString(), InputFormat.JSON).stream().map(ValidationMessage::getMessage).toList();
    }

    /** {@code good} headers, broken, violate the schema at {@code pointer}, and a violation names {@code header}. */
    private static void assertRejected(String pointer, ObjectNode good, Consumer<ObjectNode> breakIt, String header) {
        ObjectNode broken = good.deepCopy();
        breakIt.accept(broken);
        List<String> violations = violations(pointer, broken);
        assertTrue(violations.stream().anyMatch(v -> v.contains(header)), "a violation naming " + header + ": " + violations);
    }

    private static ObjectNode json(Map<String, byte[]> headers) {
        ObjectNode node = YAML.createObjectNode();
        CloudEventHeadersTest.strings(headers).forEach(node::put);
        return node;
    }

    private static String messagePointer(String ceType) {
        var messages = doc.at("/components/messages").fields();
        while (messages.hasNext()) {
            var m = messages.next();
            if (ceType.equals(typeOf(m.getValue()))) {
                return "/components/messages/" + m.getKey();
            }
        }
        throw new AssertionError("no message for " + ceType);
    }

    private static JsonNode channel(String topic) {
        for (JsonNode channel : doc.path("channels")) {
            if (channel.path("address").asText().equals(topic)) {
                return channel;
            }
        }
        throw new AssertionError("no channel for " + topic);
    }

    private static Set<String> typesOf(JsonNode channel) {
        Set<String> types = new HashSet<>();
        channel.path("messages").forEach(ref -> {
            String type = typeOf(resolve(ref));
            if (type != null) {
                types.add(type);
            }
        });
        return types;
    }

    /** The ce_type a message fixes in its headers schema; null for a message without headers (a tombstone). */
    private static String typeOf(JsonNode message) {
        JsonNode headers = resolve(message.path("headers"));
        if (headers.isMissingNode()) {
            return null;
        }
        List<JsonNode> parts = new ArrayList<>();
        parts.add(headers);
        headers.path("allOf").forEach(p -> parts.add(resolve(p)));
        for (int i = 0; i < parts.size(); i++) {
            JsonNode part = parts.get(i);
            JsonNode constant = part.at("/properties/ce_type/const");
            if (!constant.isMissingNode()) {
                return constant.asText();
            }
            part.path("allOf").forEach(p -> parts.add(resolve(p)));
        }
        throw new AssertionError("message without a fixed ce_type: " + message);
    }

    private static Map<String, Set<String>> operations(String action) {
        Map<String, Set<String>> byTopic = new HashMap<>();
        doc.path("operations").forEach(op -> {
            if (op.path("action").asText().equals(action)) {
                String topic = resolve(op.path("channel")).path("address").asText();
                byTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(op.path("title").asText());
            }
            assertTrue(Set.of("send", "receive").contains(op.path("action").asText()));
        });
        return byTopic;
    }

    private static JsonNode resolve(JsonNode node) {
        String ref = node.path("$ref").asText(null);
        return ref == null ? node : doc.at(ref.substring(1));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("$ref")) {
                    refs.add(f.getValue().asText());
                } else {
                    collectRefs(f.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }
}
