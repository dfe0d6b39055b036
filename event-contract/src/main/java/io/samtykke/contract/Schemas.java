package io.samtykke.contract;

import java.util.Map;

/**
 * The JSON Schemas (Draft 07) of the event payloads. Each {@code $id} is the value producers put in
 * {@code ce_dataschema}; the files ship in this jar under {@code schemas/}.
 */
public final class Schemas {

    public static final String BASE = "https://samtykke.io/schemas/";
    /** Payload of {@link Topics#CONSENT_EVENTS} and {@link Topics#CONSENT_OPTOUTS}: {@link ConsentEvent}. */
    public static final String CONSENT_EVENT = BASE + "consent-event.v1.json";
    /** Value of {@link Topics#CONSENT_STATE}: {@link ConsentStateSnapshot}. */
    public static final String CONSENT_STATE = BASE + "consent-state.v1.json";
    /** Payload of {@link Topics#CONSENT_CONFIRMATIONS}: {@link ConfirmationRequest}. */
    public static final String CONFIRMATION_REQUEST = BASE + "confirmation-request.v1.json";
    /** Payload of {@link Topics#PREFERENCE_EVENTS}: {@link PreferenceEvent}. */
    public static final String PREFERENCE_EVENT = BASE + "preference-event.v1.json";
    /** Payload of {@link Topics#SUBJECT_EVENTS}, and of objections on {@link Topics#CONSENT_OPTOUTS}: {@link SubjectEvent}. */
    public static final String SUBJECT_EVENT = BASE + "subject-event.v1.json";
    /** Payload of the export parts on {@link Topics#SUBJECT_EVENTS} (type {@link SubjectExportPart#TYPE}). */
    public static final String SUBJECT_EXPORT_PART = BASE + "subject-export-part.v1.json";

    /** Classpath folder of the schema files; a schema's resource is this plus the last segment of its id. */
    public static final String RESOURCE_FOLDER = "schemas/";
    /** Classpath resource of the AsyncAPI 3.0 document describing every topic. */
    public static final String ASYNCAPI_RESOURCE = "asyncapi.yaml";

    private static final Map<String, String> BY_TOPIC = Map.of(
            Topics.CONSENT_EVENTS, CONSENT_EVENT,
            Topics.CONSENT_OPTOUTS, CONSENT_EVENT,
            Topics.CONSENT_STATE, CONSENT_STATE,
            Topics.CONSENT_CONFIRMATIONS, CONFIRMATION_REQUEST,
            Topics.PREFERENCE_EVENTS, PREFERENCE_EVENT,
            Topics.SUBJECT_EVENTS, SUBJECT_EVENT);

    private Schemas() {
    }

    /** The classpath resource holding the schema with this {@code $id}, e.g. {@code schemas/consent-event.v1.json}. */
    public static String resource(String schemaId) {
        if (!schemaId.startsWith(BASE)) {
            throw new IllegalArgumentException("not a samtykke schema id: " + schemaId);
        }
        return RESOURCE_FOLDER + schemaId.substring(BASE.length());
    }

    /**
     * The schema of a record's payload, chosen by its topic and {@code ce_type}: a subject event ({@code io.samtykke.subject.*})
     * on the opt-outs topic is a {@link SubjectEvent}, everything else there a {@link ConsentEvent}; an export part on the
     * subject events topic is a {@link SubjectExportPart}. Null for a topic
     * without a published payload.
     */
    public static String forRecord(String topic, String ceType) {
        if (Topics.CONSENT_OPTOUTS.equals(topic) && SubjectEventType.isSubjectType(ceType)) {
            return SUBJECT_EVENT;
        }
        if (Topics.SUBJECT_EVENTS.equals(topic) && SubjectExportPart.TYPE.equals(ceType)) {
            return SUBJECT_EXPORT_PART;
        }
        return BY_TOPIC.get(topic);
    }
}
