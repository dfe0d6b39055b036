package io.samtykke.contract;

import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.CloudEventSerializer;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary mode: attributes as {@code ce_*} headers (UTF-8
 * strings), the content type in the Kafka {@code content-type} header, the payload as JSON. Which field of
 * an event is which attribute is decided here; the headers are written by the CloudEvents SDK's Kafka binding.
 */
public final class CloudEventHeaders {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String SPECVERSION = "ce_specversion";
    public static final String DATASCHEMA = "ce_dataschema";
    public static final String TENANT_ID = "ce_tenantid";
    public static final String SUBJECT_SEQ = "ce_subjectseq";
    public static final String TRACEPARENT = "ce_traceparent";
    public static final String PARTITION_KEY = "ce_partitionkey";
    public static final String KAFKA_CONTENT_TYPE = "content-type";

    private static final String TENANT_ID_EXTENSION = "tenantid";
    private static final String SUBJECT_SEQ_EXTENSION = "subjectseq";
    private static final String PARTITION_KEY_EXTENSION = "partitionkey";
    private static final String TRACEPARENT_EXTENSION = "traceparent";

    private CloudEventHeaders() {
    }

    public static String partitionKey(String tenantId, String subjectId) {
        return tenantId + "/" + subjectId;
    }

    /**
     * The headers of a consent event: {@code id} = eventId, {@code type} from the resulting state,
     * {@code time} = occurredAt, {@code subject} = purpose, {@code dataschema} = {@link Schemas#CONSENT_EVENT}.
     * The same headers go with the event on {@link Topics#CONSENT_EVENTS} and {@link Topics#CONSENT_OPTOUTS}.
     *
     * @param source      the producing service, a URI reference (e.g. {@code /samtykke/consent-service})
     * @param traceparent W3C trace context of the request that caused the change; null when there is none
     */
    public static Map<String, byte[]> forEvent(ConsentEvent event, String source, String traceparent) {
        return of(event.eventId(), source, event.eventType().type(), event.occurredAt(), event.purpose(),
                event.tenantId(), event.subjectId(), event.subjectSeq(), Schemas.CONSENT_EVENT, traceparent);
    }

    /**
     * The headers of a snapshot on the compacted {@link Topics#CONSENT_STATE} topic. Its record key is
     * {@link ConsentStateSnapshot#key()}, so {@code partitionkey} is that key too (the binding maps one to the other).
     *
     * @param id   a UUID of its own for this snapshot record (the snapshot's eventId names the consent event it reflects)
     * @param time when the state was written, normally {@link ConsentStateSnapshot#updatedAt()}
     */
    public static Map<String, byte[]> forSnapshot(ConsentStateSnapshot snapshot, UUID id, String source, Instant time,
                                                  String traceparent) {
        return build(id, source, ConsentStateSnapshot.TYPE, time, snapshot.purpose(), snapshot.tenantId(),
                snapshot.subjectSeq(), snapshot.key(), Schemas.CONSENT_STATE, traceparent);
    }

    /**
     * The headers of a confirmation request: {@code id} = eventId, {@code time} = requestedAt, {@code subject} = purpose,
     * {@code subjectseq} = the pending record's, {@code dataschema} = {@link Schemas#CONFIRMATION_REQUEST}.
     */
    public static Map<String, byte[]> forConfirmationRequest(ConfirmationRequest request, String source, String traceparent) {
        return of(request.eventId(), source, ConfirmationRequest.TYPE, request.requestedAt(), request.purpose(),
                request.tenantId(), request.subjectId(), request.subjectSeq(), Schemas.CONFIRMATION_REQUEST, traceparent);
    }

    /**
     * The headers of a preference event: {@code id} = eventId, {@code time} = updatedAt, {@code subjectseq} =
     * version, {@code dataschema} = {@link Schemas#PREFERENCE_EVENT}, and no {@code subject} (it concerns no purpose).
     */
    public static Map<String, byte[]> forPreferenceEvent(PreferenceEvent event, String source, String traceparent) {
        return of(event.eventId(), source, PreferenceEvent.TYPE, event.updatedAt(), null, event.tenantId(),
                event.subjectId(), event.version(), Schemas.PREFERENCE_EVENT, traceparent);
    }

    /**
     * The headers of a subject event: {@code id} = eventId, {@code type} from its change, {@code time} = occurredAt,
     * {@code subjectseq} = its own subject-event sequence, {@code dataschema} = {@link Schemas#SUBJECT_EVENT}, and no
     * {@code subject} (it concerns the person as a whole, no single purpose). The same headers go with an objection on
     * {@link Topics#SUBJECT_EVENTS} and {@link Topics#CONSENT_OPTOUTS}.
     */
    public static Map<String, byte[]> forSubjectEvent(SubjectEvent event, String source, String traceparent) {
        return of(event.eventId(), source, event.change().type(), event.occurredAt(), null, event.tenantId(),
                event.subjectId(), event.subjectSeq(), Schemas.SUBJECT_EVENT, traceparent);
    }

    /**
     * The headers of one event, in a stable order (the SDK's). {@code traceparent} and {@code dataSchema} may be null (then omitted).
     *
     * @param subject the CloudEvents subject: the purpose key for consent events
     */
    public static Map<String, byte[]> of(UUID id, String source, String type, Instant time, String subject,
                                         String tenantId, String subjectId, long subjectSeq, String dataSchema,
                                         String traceparent) {
        return build(id, source, type, time, subject, tenantId, subjectSeq, partitionKey(tenantId, subjectId),
                dataSchema, traceparent);
    }

    private static Map<String, byte[]> build(UUID id, String source, String type, Instant time, String subject,
                                             String tenantId, long subjectSeq, String partitionKey, String dataSchema,
                                             String traceparent) {
        CloudEventBuilder event = CloudEventBuilder.v1()
                .withId(id.toString())
                .withSource(URI.create(source))
                .withType(type)
                .withTime(time.atOffset(ZoneOffset.UTC))
                .withSubject(subject)
                .withDataSchema(dataSchema == null ? null : URI.create(dataSchema))
                .withDataContentType(CONTENT_TYPE)
                .withExtension(TENANT_ID_EXTENSION, tenantId)
                .withExtension(SUBJECT_SEQ_EXTENSION, subjectSeq)
                .withExtension(PARTITION_KEY_EXTENSION, partitionKey);
        if (traceparent != null) {
            event.withExtension(TRACEPARENT_EXTENSION, traceparent);
        }
        RecordHeaders written = new RecordHeaders();
        new CloudEventSerializer().serialize(null, written, event.build());
        Map<String, byte[]> headers = new LinkedHashMap<>();
        written.forEach(h -> headers.put(h.key(), h.value()));
        // the SDK writes time as ISO_OFFSET_DATE_TIME, which trims a fraction's trailing zeros (.12Z); ce_time has
        // always been ISO_INSTANT (.120Z), a fraction of 0, 3, 6 or 9 digits
        headers.put(TIME, DateTimeFormatter.ISO_INSTANT.format(time).getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
