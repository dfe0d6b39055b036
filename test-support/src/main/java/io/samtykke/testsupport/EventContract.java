package io.samtykke.testsupport;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.ValidationMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.EventType;
import io.samtykke.contract.PreferenceEvent;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a real Kafka record against the samtykke event contract: a CloudEvent 1.0 in the Kafka
 * binding's binary mode (parsed with the CloudEvents SDK), headers as the AsyncAPI document
 * describes them, the payload valid against the JSON Schema its type or topic selects, and the
 * headers consistent with the payload. Every violation found is listed in one {@link AssertionError}.
 *
 * <pre>{@code
 * ConsumerRecord<String, byte[]> record = ...;           // polled from samtykke.consent.events.v1
 * CloudEvent event = EventContract.assertValid(record);   // or assertConsentEvent(record) for the payload
 * }</pre>
 */
public final class EventContract {

    private static final String ASYNCAPI = "classpath:" + Schemas.ASYNCAPI_RESOURCE;
    private static final String EVENT_HEADERS = ASYNCAPI + "#/components/schemas/ConsentEventHeaders";
    private static final String STATE_HEADERS = ASYNCAPI + "#/components/schemas/ConsentStateHeaders";
    private static final String PREFERENCE_HEADERS = ASYNCAPI + "#/components/schemas/PreferenceEventHeaders";
    private static final String CLOUD_EVENT_HEADERS = ASYNCAPI + "#/components/schemas/CloudEventHeaders";
    private static final String SUBJECT_HEADERS = ASYNCAPI + "#/components/schemas/SubjectEventHeaders";
    private static final String EXPORT_PART_HEADERS = ASYNCAPI + "#/components/schemas/SubjectExportPartHeaders";

    private EventContract() {
    }

    /**
     * Asserts that {@code record} (value {@code byte[]} or {@code String}) keeps the contract of its topic.
     *
     * @return the parsed CloudEvent; null for a tombstone on {@link Topics#CONSENT_STATE}, which is valid
     *         when its key has the {@code tenantId/subjectId/purpose} shape
     * @throws AssertionError listing every violation
     */
    public static CloudEvent assertValid(ConsumerRecord<String, ?> record) {
        Check check = new Check(record);
        CloudEvent event = check.run();
        check.throwIfViolated();
        return event;
    }

    /** Asserts {@link #assertValid} for a record of the events or opt-outs topic and returns its payload. */
    public static ConsentEvent assertConsentEvent(ConsumerRecord<String, ?> record) {
        if (!Topics.CONSENT_EVENTS.equals(record.topic()) && !Topics.CONSENT_OPTOUTS.equals(record.topic())) {
            throw new AssertionError("expected a record of " + Topics.CONSENT_EVENTS + " or " + Topics.CONSENT_OPTOUTS
                    + ", got one of " + record.topic());
        }
        return EventJson.read(assertValid(record).getData().toBytes(), ConsentEvent.class);
    }

    /** Asserts {@link #assertValid} for a (non-tombstone) record of the state topic and returns its payload. */
    public static ConsentStateSnapshot assertStateSnapshot(ConsumerRecord<String, ?> record) {
        if (!Topics.CONSENT_STATE.equals(record.topic())) {
            throw new AssertionError("expected a record of " + Topics.CONSENT_STATE + ", got one of " + record.topic());
        }
        CloudEvent event = assertValid(record);
        if (event == null) {
            throw new AssertionError("expected a state snapshot, got a tombstone for key " + record.key());
        }
        return EventJson.read(event.getData().toBytes(), ConsentStateSnapshot.class);
    }

    /** Asserts {@link #assertValid} for a record of the confirmations topic and returns its payload. */
    public static ConfirmationRequest assertConfirmationRequest(ConsumerRecord<String, ?> record) {
        if (!Topics.CONSENT_CONFIRMATIONS.equals(record.topic())) {
            throw new AssertionError("expected a record of " + Topics.CONSENT_CONFIRMATIONS + ", got one of " + record.topic());
        }
        return EventJson.read(assertValid(record).getData().toBytes(), ConfirmationRequest.class);
    }

    /** Asserts {@link #assertValid} for a record of the preference events topic and returns its payload. */
    public static PreferenceEvent assertPreferenceEvent(ConsumerRecord<String, ?> record) {
        if (!Topics.PREFERENCE_EVENTS.equals(record.topic())) {
            throw new AssertionError("expected a record of " + Topics.PREFERENCE_EVENTS + ", got one of " + record.topic());
        }
        return EventJson.read(assertValid(record).getData().toBytes(), PreferenceEvent.class);
    }

    /**
     * Asserts {@link #assertValid} for a record of the subject events topic, or a person-wide opt-out (an objection) on
     * the opt-outs topic, and returns its payload.
     */
    public static SubjectEvent assertSubjectEvent(ConsumerRecord<String, ?> record) {
        if (!Topics.SUBJECT_EVENTS.equals(record.topic()) && !Topics.CONSENT_OPTOUTS.equals(record.topic())) {
            throw new AssertionError("expected a record of " + Topics.SUBJECT_EVENTS + " or " + Topics.CONSENT_OPTOUTS
                    + ", got one of " + record.topic());
        }
        CloudEvent event = assertValid(record);
        if (!SubjectEventType.isSubjectType(event.getType())) {
            throw new AssertionError("expected a subject event, got " + event.getType() + " on " + record.topic());
        }
        return EventJson.read(event.getData().toBytes(), SubjectEvent.class);
    }

    /** One record's check; collects violations instead of stopping at the first. */
    private static final class Check {

        private final ConsumerRecord<String, ?> record;
        private final List<String> violations = new ArrayList<>();

        Check(ConsumerRecord<String, ?> record) {
            this.record = Objects.requireNonNull(record, "record");
        }

        CloudEvent run() {
            String topic = record.topic();
            boolean consentTopic = Topics.CONSENT_EVENTS.equals(topic) || Topics.CONSENT_OPTOUTS.equals(topic);
            boolean stateTopic = Topics.CONSENT_STATE.equals(topic);
            boolean preferenceTopic = Topics.PREFERENCE_EVENTS.equals(topic);
            boolean confirmationTopic = Topics.CONSENT_CONFIRMATIONS.equals(topic);
            // a subject event: on its own topic, or a person-wide opt-out on the opt-outs topic (told apart by ce_type)
            // an export part shares the subject events topic but is no subject event: its own headers and payload schema
            boolean exportPart = Topics.SUBJECT_EVENTS.equals(topic) && SubjectExportPart.TYPE.equals(rawHeader(CloudEventHeaders.TYPE));
            boolean subjectEvent = !exportPart && (Topics.SUBJECT_EVENTS.equals(topic) || Topics.CONSENT_OPTOUTS.equals(topic)
                    && SubjectEventType.isSubjectType(rawHeader(CloudEventHeaders.TYPE)));
            if (!consentTopic && !stateTopic && !preferenceTopic && !confirmationTopic && !subjectEvent && !exportPart) {
                violations.add("topic " + topic + " has no published payload contract");
                return null;
            }
            byte[] value = valueBytes();
            if (record.key() == null) {
                violations.add("the record key is missing; it must be " + (stateTopic ? "tenantId/subjectId/purpose" : "tenantId/subjectId"));
            }
            if (value == null && stateTopic && !hasCloudEventHeaders()) {
                checkTombstoneKey();
                return null;
            }

            Map<String, String> headers = checkRawHeaders(record.headers());
            validate("header", stateTopic ? STATE_HEADERS : preferenceTopic ? PREFERENCE_HEADERS
                    : confirmationTopic ? CLOUD_EVENT_HEADERS : subjectEvent ? SUBJECT_HEADERS
                    : exportPart ? EXPORT_PART_HEADERS : EVENT_HEADERS, headersAsJson(headers).toString());

            CloudEvent event;
            try {
                event = KafkaMessageFactory.createReader(record.headers(), value).toEvent();
            } catch (CloudEventRWException | IllegalStateException e) {
                violations.add("the CloudEvents SDK cannot read the record as a binary-mode CloudEvent: " + e.getMessage());
                return null;
            }
            checkAttributes(event, preferenceTopic ? "a preference change" : subjectEvent ? "a subject event"
                    : exportPart ? "an export part" : null);
            if (value == null || value.length == 0) {
                violations.add("the record has no payload" + (stateTopic ? " (tombstones carry no ce_* headers)" : ""));
                return event;
            }
            String schema;
            if (stateTopic) {
                schema = Schemas.CONSENT_STATE;
            } else if (exportPart) {
                schema = Schemas.SUBJECT_EXPORT_PART;
            } else if (subjectEvent) {
                if (!knownType(topic, event.getType(), SubjectEventType.find(event.getType()), "subject", SubjectEventType.values())) {
                    return event;
                }
                schema = Schemas.SUBJECT_EVENT;
            } else if (preferenceTopic) {
                if (!PreferenceEvent.TYPE.equals(event.getType())) {
                    violations.add("ce_type " + event.getType() + " is not " + PreferenceEvent.TYPE);
                }
                schema = Schemas.PREFERENCE_EVENT;
            } else if (confirmationTopic) {
                if (!ConfirmationRequest.TYPE.equals(event.getType())) {
                    violations.add("ce_type " + event.getType() + " is not " + ConfirmationRequest.TYPE);
                }
                if (!Schemas.CONFIRMATION_REQUEST.equals(String.valueOf(event.getDataSchema()))) {
                    violations.add("ce_dataschema " + event.getDataSchema() + " is not " + Schemas.CONFIRMATION_REQUEST);
                }
                schema = Schemas.CONFIRMATION_REQUEST;
            } else {
                if (!knownType(topic, event.getType(), ConsentEventType.find(event.getType()), "consent", ConsentEventType.values())) {
                    return event;
                }
                schema = Schemas.CONSENT_EVENT;
            }
            int before = violations.size();
            validate("payload", schema, new String(value, StandardCharsets.UTF_8));
            if (violations.size() == before) {
                if (stateTopic) {
                    checkAgainstPayload(event, EventJson.read(value, ConsentStateSnapshot.class));
                } else if (exportPart) {
                    SubjectExportPart part = EventJson.read(value, SubjectExportPart.class);
                    same("ce_id", event.getId(), part.eventId().toString(), "eventId");
                    same("ce_subjectseq", extension(event, "subjectseq"), Integer.toString(part.chunk()), "chunk");
                    same("record key", record.key(), part.partitionKey(), "tenantId/subjectId");
                } else if (subjectEvent) {
                    checkAgainstPayload(event, EventJson.read(value, SubjectEvent.class));
                } else if (preferenceTopic) {
                    checkAgainstPayload(event, EventJson.read(value, PreferenceEvent.class));
                } else if (confirmationTopic) {
                    checkAgainstPayload(event, EventJson.read(value, ConfirmationRequest.class));
                } else {
                    checkAgainstPayload(event, EventJson.read(value, ConsentEvent.class));
                }
            }
            return event;
        }

        private byte[] valueBytes() {
            Object value = record.value();
            if (value == null || value instanceof byte[]) {
                return (byte[]) value;
            }
            if (value instanceof String s) {
                return s.getBytes(StandardCharsets.UTF_8);
            }
            throw new IllegalArgumentException("record values must be byte[] or String, got " + value.getClass().getName());
        }

        private String rawHeader(String name) {
            Header h = record.headers().lastHeader(name);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }

        private boolean hasCloudEventHeaders() {
            for (Header h : record.headers()) {
                if (h.key().startsWith("ce_")) {
                    return true;
                }
            }
            return false;
        }

        private void checkTombstoneKey() {
            if (record.key() != null && !record.key().matches("[^/]+/.+/[^/]+")) {
                violations.add("tombstone key " + record.key() + " is not tenantId/subjectId/purpose");
            }
        }

        /** Binding rules the SDK is lenient about: one header per name, lowercase names, strict UTF-8 values. */
        private Map<String, String> checkRawHeaders(Headers raw) {
            Map<String, String> headers = new HashMap<>();
            for (Header h : raw) {
                String name = h.key();
                boolean ours = name.startsWith("ce_") || name.equals(CloudEventHeaders.KAFKA_CONTENT_TYPE);
                if (!ours) {
                    continue;
                }
                if (name.startsWith("ce_") && !name.matches("ce_[a-z0-9]{1,20}")) {
                    violations.add("header " + name + ": CloudEvents attribute names are lowercase letters and digits (at most 20)");
                }
                if (h.value() == null) {
                    violations.add("header " + name + " has no value");
                    continue;
                }
                String text;
                try {
                    text = StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(h.value())).toString();
                } catch (CharacterCodingException e) {
                    violations.add("header " + name + " is not valid UTF-8");
                    continue;
                }
                if (headers.put(name, text) != null) {
                    violations.add("header " + name + " appears more than once");
                }
            }
            return headers;
        }

        /**
         * @param withoutPurpose null when ce_subject must name a purpose (consent topics), else what kind of event carries
         *                       none (preference events, subject events)
         */
        private void checkAttributes(CloudEvent event, String withoutPurpose) {
            boolean purposeSubject = withoutPurpose == null;
            if (event.getSpecVersion() != SpecVersion.V1) {
                violations.add("specversion is " + event.getSpecVersion() + ", expected 1.0");
            }
            if (event.getTime() == null) {
                violations.add("attribute time (ce_time) is missing");
            }
            if (purposeSubject && event.getSubject() == null) {
                violations.add("attribute subject (ce_subject) is missing");
            }
            if (!purposeSubject && event.getSubject() != null) {
                violations.add("attribute subject (ce_subject) is " + event.getSubject() + "; " + withoutPurpose
                        + " concerns no purpose");
            }
            if (!CloudEventHeaders.CONTENT_TYPE.equals(event.getDataContentType())) {
                violations.add("datacontenttype (Kafka header content-type) is " + event.getDataContentType()
                        + ", expected " + CloudEventHeaders.CONTENT_TYPE);
            }
            for (String extension : List.of("tenantid", "subjectseq", "partitionkey")) {
                if (event.getExtension(extension) == null) {
                    violations.add("extension " + extension + " (ce_" + extension + ") is missing");
                }
            }
            Object partitionKey = event.getExtension("partitionkey");
            if (partitionKey != null && !partitionKey.toString().equals(record.key())) {
                violations.add("extension partitionkey " + partitionKey + " differs from the record key " + record.key());
            }
            Object seq = event.getExtension("subjectseq");
            if (seq != null) {
                try {
                    if (Long.parseLong(seq.toString()) < 1) {
                        violations.add("extension subjectseq " + seq + " is below 1");
                    }
                } catch (NumberFormatException e) {
                    violations.add("extension subjectseq " + seq + " is not an integer");
                }
            }
        }

        /**
         * Whether ce_type names an event type of the kind (a violation listing the known ones when not); an opt-out
         * topic must carry opt-outs only.
         */
        private boolean knownType(String topic, String ceType, Optional<? extends EventType> found, String kind, EventType[] known) {
            if (found.isEmpty()) {
                violations.add("ce_type " + ceType + " is not a " + kind + " event type; expected one of "
                        + Arrays.stream(known).map(EventType::type).toList());
                return false;
            }
            if (Topics.CONSENT_OPTOUTS.equals(topic) && !found.get().isOptOut()) {
                violations.add("ce_type " + found.get().type() + " is not an opt-out and does not belong on " + topic);
            }
            return true;
        }

        private void checkAgainstPayload(CloudEvent event, ConsentEvent payload) {
            same("ce_id", event.getId(), payload.eventId().toString(), "eventId");
            same("ce_type", event.getType(), payload.eventType().type(), "the type of state " + payload.state());
            same("ce_subject", event.getSubject(), payload.purpose(), "purpose");
            samePartition(event, payload.tenantId(), payload.subjectSeq(), "subjectSeq", payload.partitionKey(), "tenantId/subjectId");
            sameInstant("ce_time", event, payload.occurredAt(), "occurredAt");
        }

        private void checkAgainstPayload(CloudEvent event, SubjectEvent payload) {
            same("ce_id", event.getId(), payload.eventId().toString(), "eventId");
            same("ce_type", event.getType(), payload.change().type(), "the type of change " + payload.change());
            samePartition(event, payload.tenantId(), payload.subjectSeq(), "subjectSeq", payload.partitionKey(), "tenantId/subjectId");
            sameInstant("ce_time", event, payload.occurredAt(), "occurredAt");
        }

        private void checkAgainstPayload(CloudEvent event, ConsentStateSnapshot payload) {
            same("ce_subject", event.getSubject(), payload.purpose(), "purpose");
            samePartition(event, payload.tenantId(), payload.subjectSeq(), "subjectSeq", payload.key(), "tenantId/subjectId/purpose");
        }

        private void checkAgainstPayload(CloudEvent event, ConfirmationRequest payload) {
            same("ce_id", event.getId(), payload.eventId().toString(), "eventId");
            same("ce_subject", event.getSubject(), payload.purpose(), "purpose");
            samePartition(event, payload.tenantId(), payload.subjectSeq(), "subjectSeq", payload.partitionKey(), "tenantId/subjectId");
            sameInstant("ce_time", event, payload.requestedAt(), "requestedAt");
        }

        private void checkAgainstPayload(CloudEvent event, PreferenceEvent payload) {
            same("ce_id", event.getId(), payload.eventId().toString(), "eventId");
            samePartition(event, payload.tenantId(), payload.version(), "version", payload.partitionKey(), "tenantId/subjectId");
            sameInstant("ce_time", event, payload.updatedAt(), "updatedAt");
        }

        /** The tenant, the sequence number and the record key: what every record on a person's partition carries twice. */
        private void samePartition(CloudEvent event, String tenantId, long seq, String seqField, String key, String keyFields) {
            same("ce_tenantid", extension(event, "tenantid"), tenantId, "tenantId");
            same("ce_subjectseq", extension(event, "subjectseq"), Long.toString(seq), seqField);
            same("record key", record.key(), key, keyFields);
        }

        private void same(String header, String actual, String expected, String payloadField) {
            if (!Objects.equals(actual, expected)) {
                violations.add(header + " is " + actual + " but the payload's " + payloadField + " gives " + expected);
            }
        }

        private void sameInstant(String header, CloudEvent event, Instant expected, String payloadField) {
            if (event.getTime() != null && !event.getTime().toInstant().equals(expected)) {
                violations.add(header + " is " + event.getTime() + " but the payload's " + payloadField + " is " + expected);
            }
        }

        private static String extension(CloudEvent event, String name) {
            Object value = event.getExtension(name);
            return value == null ? null : value.toString();
        }

        private void validate(String what, String schemaLocation, String json) {
            Set<ValidationMessage> messages;
            try {
                messages = Validators.schema(schemaLocation).validate(json, InputFormat.JSON);
            } catch (RuntimeException e) {
                violations.add(what + " is not JSON: " + e.getMessage());
                return;
            }
            messages.forEach(m -> violations.add(what + " " + m.getMessage()));
        }

        void throwIfViolated() {
            if (violations.isEmpty()) {
                return;
            }
            StringBuilder message = new StringBuilder("Kafka record ")
                    .append(record.topic()).append('-').append(record.partition()).append('@').append(record.offset())
                    .append(" (key ").append(record.key()).append(") breaks the event contract:");
            violations.forEach(v -> message.append("\n  - ").append(v));
            throw new AssertionError(message.toString());
        }
    }

    private static ObjectNode headersAsJson(Map<String, String> headers) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        headers.forEach(node::put);
        return node;
    }

    /** Schemas loaded once from the event-contract jar, found by their {@code $id} or classpath location. */
    private static final class Validators {

        private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
                com.networknt.schema.SpecVersion.VersionFlag.V7,
                builder -> builder
                        // the AsyncAPI document is not itself a schema: its own keywords are annotations
                        .metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV7())
                                .unknownKeywordFactory((keyword, context) -> new AnnotationKeyword(keyword))
                                .build())
                        .schemaMappers(m -> m.mapPrefix(Schemas.BASE, "classpath:" + Schemas.RESOURCE_FOLDER)));
        private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .build();
        private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

        static JsonSchema schema(String location) {
            return LOADED.computeIfAbsent(location, l -> FACTORY.getSchema(SchemaLocation.of(l), CONFIG));
        }
    }
}
