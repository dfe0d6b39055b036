package io.samtykke.audit.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.entry.EntryQueries;
import io.samtykke.audit.entry.EntryReader;
import io.samtykke.audit.ingest.ReceivedEvent;
import io.samtykke.audit.receipt.ConsentReceipt;
import io.samtykke.audit.receipt.Receipts;
import io.samtykke.audit.tree.LogSigner;
import io.samtykke.audit.tree.TreeStore;
import io.samtykke.audit.tree.TreeStore.StoredCheckpoint;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * audit-service's part of a person's export (GDPR Art. 15 access, Art. 20 portability), in answer to an
 * {@code export-requested} subject event once it is logged: every entry of the person's audit log opened with their
 * key, each entry the latest signed checkpoint covers with its inclusion proof, the checkpoint itself, and the consent
 * receipt of each consent record. Published in chunks ({@link SubjectExportPart#split}) on the subject events topic
 * with an idempotent producer; the chunk ids follow from the content, so answering a redelivered request again with
 * the same content dedupes at consent-service. Blocking: runs on the ingest worker thread.
 */
@ApplicationScoped
public class SubjectExportResponder {

    public static final String SERVICE = "audit-service";
    public static final String SOURCE = "/samtykke/audit-service";
    /** The part's own format. */
    public static final int FORMAT_VERSION = 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    EntryQueries queries;

    @Inject
    EntryReader reader;

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    Receipts receipts;

    @Inject
    InclusionProofs proofs;

    @Inject
    AuditConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @Inject
    @Channel("export-parts")
    MutinyEmitter<byte[]> parts;

    /** True for the event that asks every service for its part of the person's export. */
    public static boolean isExportRequest(ReceivedEvent e) {
        return SubjectEventType.EXPORT_REQUESTED.type().equals(e.type()) && e.subjectId() != null;
    }

    /** Builds the part for the request's person and publishes its chunks, each acknowledged by the broker. */
    public void answer(ReceivedEvent request) {
        String tenant = request.tenantId();
        String subject = request.subjectId();
        UUID requestId = UUID.fromString(request.json().at("/request/requestId").asText());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        for (SubjectExportPart chunk : SubjectExportPart.split(tenant, subject, requestId, SERVICE, build(tenant, subject), now)) {
            RecordHeaders headers = new RecordHeaders();
            CloudEventHeaders.of(chunk.eventId(), SOURCE, SubjectExportPart.TYPE, now, null, tenant, subject, chunk.chunk(),
                    Schemas.SUBJECT_EXPORT_PART, null).forEach(headers::add);
            OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(chunk.partitionKey()).withHeaders(headers).build();
            parts.sendMessage(Message.of(EventJson.write(chunk).getBytes(StandardCharsets.UTF_8)).addMetadata(metadata))
                    .await().atMost(TIMEOUT);
        }
    }

    /** The part's JSON: the checkpoint, the person's entries (with proofs where covered) and their consent receipts. */
    byte[] build(String tenant, String subject) {
        StoredCheckpoint checkpoint = store.latestOrEmpty(tenant).await().atMost(TIMEOUT);
        EntryQueries.Filter filter = new EntryQueries.Filter(subject, null, null, null, null);
        List<AuditEntry> entries = new ArrayList<>();
        long after = -1;
        while (true) {
            RowSet<Row> rows = queries.rows(tenant, filter, after, Long.MAX_VALUE, false, config.export().pageSize())
                    .await().atMost(TIMEOUT);
            if (rows.size() == 0) {
                break;
            }
            if (entries.size() + rows.size() > config.export().maxPartEntries()) {
                throw new IllegalArgumentException("the person has more than " + config.export().maxPartEntries()
                        + " entries (samtykke.export.max-part-entries): too many for one part built in memory");
            }
            for (Row r : rows) {
                after = r.getLong("seq");
            }
            List<AuditEntry> page = reader.read(tenant, rows).await().atMost(TIMEOUT);
            List<AuditEntry> covered = page.stream().filter(e -> e.seq() < checkpoint.size()).toList();
            entries.addAll(covered.isEmpty() ? covered : proofs.withProofs(tenant, checkpoint.size(), covered).await().atMost(TIMEOUT));
            entries.addAll(page.stream().filter(e -> e.seq() >= checkpoint.size()).toList());
        }
        List<ConsentReceipt> consentReceipts = new ArrayList<>();
        for (AuditEntry e : entries) {
            if (ConsentEventType.find(e.type()).isPresent()) {
                consentReceipts.add(receipts.of(tenant, e).await().atMost(TIMEOUT));
            }
        }
        Map<String, Object> part = new LinkedHashMap<>();
        part.put("service", SERVICE);
        part.put("formatVersion", FORMAT_VERSION);
        part.put("tenantId", tenant);
        part.put("subjectId", subject);
        Map<String, Object> signed = new LinkedHashMap<>();
        signed.put("origin", signer.origin(tenant));
        signed.put("verifierKey", signer.verifierKey(tenant));
        signed.put("treeSize", checkpoint.size());
        signed.put("rootHash", checkpoint.size() == 0 ? null : Base64.getEncoder().encodeToString(checkpoint.root()));
        signed.put("note", checkpoint.note());
        part.put("checkpoint", signed);
        part.put("entries", entries);
        part.put("receipts", consentReceipts);
        try {
            return json.writeValueAsBytes(part);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the audit part of an export", e);
        }
    }
}
