package io.samtykke.audit.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.CloudEventHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One Kafka record read as a CloudEvent in binary mode, with everything the audit log keeps of it.
 * Plain Java: {@link #of} refuses a record the log cannot attribute to a tenant and an event id.
 *
 * @param subjectId  from the record key {@code tenantId/subjectId}; null when the key has another shape
 * @param purpose    {@code ce_subject}; null when absent (e.g. preference events)
 * @param subjectSeq {@code ce_subjectseq} when it is a whole number, else null
 * @param payload    the record value, byte for byte
 * @param json       the payload parsed
 */
public record ReceivedEvent(
        String tenantId,
        UUID eventId,
        String type,
        String source,
        String subjectId,
        String purpose,
        Instant eventTime,
        Long subjectSeq,
        String topic,
        int partition,
        long offset,
        byte[] payload,
        JsonNode json) {

    /** The attributes without which an event cannot be placed in a tenant's log. */
    static final List<String> REQUIRED = List.of(CloudEventHeaders.SPECVERSION, CloudEventHeaders.ID,
            CloudEventHeaders.SOURCE, CloudEventHeaders.TYPE, CloudEventHeaders.TIME, CloudEventHeaders.TENANT_ID);

    /** The headers the log reads; the rest stay on the record (and go with it to the dead-letter topic). */
    private static final List<String> READ = List.of(CloudEventHeaders.SPECVERSION, CloudEventHeaders.ID,
            CloudEventHeaders.SOURCE, CloudEventHeaders.TYPE, CloudEventHeaders.TIME, CloudEventHeaders.TENANT_ID,
            CloudEventHeaders.SUBJECT, CloudEventHeaders.SUBJECT_SEQ);

    /** The event times the log takes: years 1 to 9999 (UTC), well inside what PostgreSQL's timestamptz and RFC 3339 hold. */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** Exclusive. */
    static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A record that is not an event the log can keep, and why: the reason its dead letter carries. */
    public static final class NotAnEvent extends Exception {
        NotAnEvent(String why) {
            super(why, null, false, false);
        }
    }

    public static ReceivedEvent of(ConsumerRecord<String, byte[]> record) throws NotAnEvent {
        Map<String, String> text = new HashMap<>();
        for (String name : READ) {
            Header h = record.headers().lastHeader(name);
            String value = h == null || h.value() == null ? null : utf8(h.value());
            if (value != null) {
                text.put(name, value);
            }
        }
        List<String> missing = REQUIRED.stream().filter(name -> isBlank(text.get(name))).toList();
        if (!missing.isEmpty()) {
            throw new NotAnEvent("missing or non-text CloudEvents headers " + missing);
        }
        if (!CloudEventHeaders.SPEC_VERSION.equals(text.get(CloudEventHeaders.SPECVERSION))) {
            throw new NotAnEvent("ce_specversion is " + text.get(CloudEventHeaders.SPECVERSION) + ", not 1.0");
        }
        UUID eventId;
        try {
            eventId = UUID.fromString(text.get(CloudEventHeaders.ID));
        } catch (IllegalArgumentException e) {
            throw new NotAnEvent("ce_id " + text.get(CloudEventHeaders.ID) + " is not a UUID");
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(text.get(CloudEventHeaders.TIME)).toInstant();
        } catch (DateTimeParseException e) {
            throw new NotAnEvent("ce_time " + text.get(CloudEventHeaders.TIME) + " is not an RFC 3339 timestamp");
        }
        if (time.isBefore(EARLIEST) || !time.isBefore(LATEST)) {
            throw new NotAnEvent("ce_time " + text.get(CloudEventHeaders.TIME) + " is outside the years 1 to 9999 the log stores");
        }
        JsonNode json = record.value() == null || record.value().length == 0 ? null : parse(record.value());
        if (json == null) {
            throw new NotAnEvent("the payload is not JSON");
        }
        String tenant = text.get(CloudEventHeaders.TENANT_ID);
        String seq = text.get(CloudEventHeaders.SUBJECT_SEQ);
        return new ReceivedEvent(tenant, eventId, text.get(CloudEventHeaders.TYPE), text.get(CloudEventHeaders.SOURCE),
                subjectOf(record.key(), tenant), text.get(CloudEventHeaders.SUBJECT), time,
                seq != null && seq.matches("[0-9]{1,15}") ? Long.valueOf(seq) : null, record.topic(), record.partition(),
                record.offset(), record.value(), json);
    }

    /** The subject of key {@code tenantId/subjectId}; subject ids never contain a slash. */
    private static String subjectOf(String key, String tenant) {
        String prefix = tenant + "/";
        if (key == null || !key.startsWith(prefix) || key.length() == prefix.length()) {
            return null;
        }
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** Strict UTF-8 without NUL, else null. */
    private static String utf8(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return s.indexOf('\0') >= 0 ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
