package io.samtykke.contract;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * CloudEvents 1.0 Kafka protocol binding, binary mode: attributes as {@code ce_*} headers (UTF-8
 * strings), the content type in the Kafka {@code content-type} header, the payload as JSON.
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

    private CloudEventHeaders() {
    }

    public static String partitionKey(String tenantId, String subjectId) {
        return tenantId + "/" + subjectId;
    }

    /**
     * The headers of one event, in a stable order. {@code traceparent} may be null (then omitted).
     *
     * @param subject the CloudEvents subject: the purpose key for consent events
     */
    public static Map<String, byte[]> of(UUID id, String source, String type, Instant time, String subject,
                                         String tenantId, String subjectId, long subjectSeq, String dataSchema,
                                         String traceparent) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(SPECVERSION, SPEC_VERSION);
        h.put(ID, id.toString());
        h.put(SOURCE, source);
        h.put(TYPE, type);
        h.put(TIME, DateTimeFormatter.ISO_INSTANT.format(time));
        if (subject != null) {
            h.put(SUBJECT, subject);
        }
        if (dataSchema != null) {
            h.put(DATASCHEMA, dataSchema);
        }
        h.put(TENANT_ID, tenantId);
        h.put(SUBJECT_SEQ, Long.toString(subjectSeq));
        h.put(PARTITION_KEY, partitionKey(tenantId, subjectId));
        if (traceparent != null) {
            h.put(TRACEPARENT, traceparent);
        }
        h.put(KAFKA_CONTENT_TYPE, CONTENT_TYPE);
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        h.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return bytes;
    }
}
