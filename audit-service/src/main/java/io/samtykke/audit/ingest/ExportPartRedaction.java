package io.samtykke.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The log records that a service published its part of a person's export, never the part itself: an export part's
 * payload (the person's data, merely compressed) is replaced before logging by its metadata and the SHA-256 of the
 * chunk's data, which is enough to show what was sent (compare it with the export) without keeping a second copy of the
 * person's data in a log that cannot forget. Plain Java.
 */
final class ExportPartRedaction {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The members kept as they are (the subject id sealed under the person's key, as in every subject event); {@code data} becomes {@code dataSha256}. */
    private static final List<String> KEPT = List.of("eventId", "tenantId", "subjectId", "requestId", "service", "partId", "chunk", "chunks", "encoding",
            "sha256", "size", "producedAt");

    private ExportPartRedaction() {
    }

    static boolean applies(ReceivedEvent e) {
        return Topics.SUBJECT_EVENTS.equals(e.topic()) && SubjectExportPart.TYPE.equals(e.type());
    }

    /** The event with its payload reduced to the metadata (call after the payload passed its schema). */
    static ReceivedEvent redact(ReceivedEvent e) {
        ObjectNode kept = JSON.createObjectNode();
        for (String name : KEPT) {
            JsonNode value = e.json().get(name);
            if (value != null) {
                kept.set(name, value);
            }
        }
        kept.put("dataSha256", SubjectExportPart.sha256(e.json().path("data").asText("").getBytes(StandardCharsets.UTF_8)));
        kept.put("redacted", "the part's data is not logged; dataSha256 identifies it");
        byte[] payload = kept.toString().getBytes(StandardCharsets.UTF_8);
        return new ReceivedEvent(e.tenantId(), e.eventId(), e.type(), e.source(), e.subjectId(), e.purpose(), e.eventTime(),
                e.subjectSeq(), e.topic(), e.partition(), e.offset(), payload, kept);
    }
}
