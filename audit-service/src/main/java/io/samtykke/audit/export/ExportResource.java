package io.samtykke.audit.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.entry.EntryQueries;
import io.samtykke.audit.entry.EntryReader;
import io.samtykke.audit.entry.EntryResource;
import io.samtykke.audit.tree.LogSigner;
import io.samtykke.audit.tree.TreeStore.StoredCheckpoint;
import io.samtykke.audit.tree.TreeStore;
import io.samtykke.audit.verifier.Csv;
import io.samtykke.audit.verifier.ExportFormat;
import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

@Path("/v1/export")
@Tag(name = "Export", description = "The tenant's log, or a filtered part of it, streamed for auditors and the offline verifier")
public class ExportResource {

    static final String NDJSON = "application/x-ndjson";
    static final String CSV = "text/csv";

    @Inject
    EntryQueries queries;

    @Inject
    EntryReader reader;

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    InclusionProofs proofs;

    @Inject
    Callers callers;

    @Inject
    ObjectMapper json;

    @Inject
    AuditConfig config;

    @GET
    // no @Produces: the content type follows the format parameter (set below), which RestMulti alone allows
    @RolesAllowed(Caller.AUDITOR)
    @Operation(summary = "Stream the tenant's log as NDJSON or CSV, without a size limit",
            description = "Pinned to a signed checkpoint (the latest, or treeSize): an export without filters holds every entry"
                    + " below its tree size and the offline verifier recomputes the checkpoint's root from it; a filtered export"
                    + " carries an inclusion proof per entry. Read page by page from the database while it is written, so any"
                    + " size streams in constant memory.")
    @APIResponse(responseCode = "200", description = "The export (NDJSON: a header line with the checkpoint, then one entry per line)",
            content = {@Content(mediaType = NDJSON), @Content(mediaType = CSV)})
    @APIResponse(responseCode = "404", description = "No checkpoint of that tree size")
    public RestMulti<Buffer> export(
            @Parameter(description = "ndjson (default) or csv") @QueryParam("format") String format,
            @Parameter(description = "Tree size of a signed checkpoint; default: the latest") @QueryParam("treeSize") String treeSize,
            @Parameter(description = "Only entries of this subject id") @QueryParam("subject") String subject,
            @Parameter(description = "Only entries of this purpose key") @QueryParam("purpose") String purpose,
            @Parameter(description = "Only entries of this event type") @QueryParam("type") String type,
            @Parameter(description = "Only events at or after this time (RFC 3339)") @QueryParam("from") String from,
            @Parameter(description = "Only events before this time (RFC 3339)") @QueryParam("to") String to) {
        String tenant = callers.current().tenant();
        boolean csv = QueryParams.choice(format, "format", "ndjson", "csv");
        EntryQueries.Filter filter = EntryResource.filter(subject, purpose, type, from, to);
        Optional<Long> size = QueryParams.wholeNumber(treeSize, "treeSize");
        Uni<StoredCheckpoint> checkpoint = size.isEmpty() ? store.latestOrEmpty(tenant)
                : store.atSize(tenant, size.get()).map(c -> c.orElseThrow(() -> new ProblemException(CommonProblem.NOT_FOUND,
                "no checkpoint of tree size " + size.get() + " was signed; GET /v1/checkpoint gives the latest")));
        String extension = csv ? "csv" : "ndjson";
        return RestMulti.fromUniResponse(checkpoint,
                c -> body(tenant, c, filter, csv),
                c -> Map.of("Content-Type", List.of(csv ? CSV + "; charset=utf-8" : NDJSON),
                        "Content-Disposition", List.of("attachment; filename=\"audit-" + LogSigner.escape(tenant) + "-" + c.size()
                                + "." + extension + "\"")));
    }

    /**
     * The header, then page after page of entries: the next page's rows are read from the database while the
     * current page is opened and written (one page ahead, no more), so memory stays constant whatever the size.
     */
    private Multi<Buffer> body(String tenant, StoredCheckpoint checkpoint, EntryQueries.Filter filter, boolean csv) {
        boolean complete = filter.isAll();
        Buffer first = Buffer.buffer(csv ? csvHeader(complete) : header(tenant, checkpoint, filter, complete));
        Multi<Buffer> pages = Multi.createBy().repeating()
                .uni(() -> new long[] {-1}, after -> queries.rows(tenant, filter, after[0], checkpoint.size(), false,
                                config.export().pageSize())
                        .invoke(rows -> rows.forEach(r -> after[0] = r.getLong("seq"))))
                .until(rows -> rows.size() == 0)
                .onItem().transformToUni(rows -> page(tenant, checkpoint.size(), complete, csv, rows)).concatenate(true);
        return Multi.createBy().concatenating().streams(Multi.createFrom().item(first), pages);
    }

    private Uni<Buffer> page(String tenant, long treeSize, boolean complete, boolean csv, RowSet<Row> rows) {
        return reader.read(tenant, rows)
                .flatMap(entries -> complete ? Uni.createFrom().item(entries) : proofs.withProofs(tenant, treeSize, entries))
                .map(entries -> {
                    Buffer text = Buffer.buffer(entries.size() * 3000);
                    for (AuditEntry e : entries) {
                        if (csv) {
                            text.appendString(csvRow(e, complete));
                        } else {
                            text.appendBytes(line(e));
                        }
                        text.appendByte((byte) '\n');
                    }
                    return text;
                });
    }

    private String header(String tenant, StoredCheckpoint checkpoint, EntryQueries.Filter filter, boolean complete) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("export", ExportFormat.KIND);
        header.put("version", ExportFormat.VERSION);
        header.put("origin", signer.origin(tenant));
        header.put("treeSize", checkpoint.size());
        header.put("rootHash", Base64.getEncoder().encodeToString(checkpoint.root()));
        header.put("checkpoint", checkpoint.note());
        header.put("complete", complete);
        Map<String, Object> applied = new LinkedHashMap<>();
        applied.put("subject", filter.subjectId());
        applied.put("purpose", filter.purpose());
        applied.put("type", filter.type());
        applied.put("from", filter.from());
        applied.put("to", filter.to());
        applied.values().removeIf(v -> v == null);
        header.put("filter", applied);
        return write(header) + "\n";
    }

    private static String csvHeader(boolean complete) {
        return String.join(",", ExportFormat.CSV_COLUMNS) + (complete ? "" : "," + ExportFormat.CSV_INCLUSION_PROOF) + "\n";
    }

    private byte[] line(AuditEntry e) {
        try {
            return json.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write an export line", ex);
        }
    }

    private String csvRow(AuditEntry e, boolean complete) {
        List<String> cells = new ArrayList<>(ExportFormat.CSV_COLUMNS.size() + 1);
        for (String column : ExportFormat.CSV_COLUMNS) {
            cells.add(switch (column) {
                case "seq" -> Long.toString(e.seq());
                case "event_id" -> text(e.eventId());
                case "type" -> text(e.type());
                case "subject_id" -> text(e.subjectId());
                case "purpose" -> text(e.purpose());
                case "event_time" -> text(e.eventTime());
                case "received_at" -> text(e.receivedAt());
                case "erased" -> Boolean.toString(e.erased());
                case "payload" -> write(e.payload());
                case "entry" -> e.entry();
                case "leaf_hash" -> e.leafHash();
                default -> throw new IllegalStateException("no value for CSV column " + column);
            });
        }
        if (!complete) {
            cells.add(String.join(" ", e.inclusionProof()));
        }
        return cells.stream().map(Csv::field).collect(Collectors.joining(","));
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write an export line", ex);
        }
    }
}
