package io.samtykke.audit.verifier;

import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks an export ({@link ExportFormat}) against a checkpoint signed by the log's key, reading it once
 * in constant memory. Each entry's bytes must parse, hash to its stated leaf hash and agree with the
 * readable columns beside them; a complete export must hold entries 0, 1, 2, … with nothing missing,
 * added or out of place and hash to the checkpoint's root; each entry of a filtered export must carry
 * an inclusion proof to that root. The first entry that fails is named.
 */
public final class ExportVerifier {

    /** The outcome, in words for the auditor. */
    public record Result(boolean valid, long entries, String message) {
    }

    private final NoteKey key;
    private final String suppliedCheckpoint;

    private Checkpoint checkpoint;
    private boolean complete = true;
    private final TreeBuilder tree = new TreeBuilder();
    private long entries;
    private long lastSeq = -1;
    private String tenant;

    /**
     * @param key        the log's verifier key, obtained out of band (the trust anchor)
     * @param checkpoint a signed checkpoint note to check against; null to use the one in an NDJSON export's header
     */
    public ExportVerifier(NoteKey key, String checkpoint) {
        this.key = Objects.requireNonNull(key);
        this.suppliedCheckpoint = checkpoint;
    }

    public Result verify(BufferedReader export) throws IOException {
        try {
            String first = export.readLine();
            if (first == null) {
                throw new VerificationException("the export is empty: not even a header");
            }
            if (first.startsWith("{")) {
                ndjson(first, export);
            } else {
                csv(first, export);
            }
            return finish();
        } catch (VerificationException e) {
            return new Result(false, entries, e.getMessage());
        }
    }

    private void ndjson(String headerLine, BufferedReader export) throws IOException, VerificationException {
        Map<String, Object> header = Json.parseObject(headerLine);
        if (!ExportFormat.KIND.equals(header.get("export")) || !Long.valueOf(ExportFormat.VERSION).equals(header.get("version"))) {
            throw new VerificationException("the first line is not a " + ExportFormat.KIND + " version " + ExportFormat.VERSION
                    + " header");
        }
        complete = !Boolean.FALSE.equals(header.get("complete"));
        String note = suppliedCheckpoint != null ? suppliedCheckpoint : stringOrNull(header.get("checkpoint"));
        if (note == null) {
            throw new VerificationException("the export's header carries no checkpoint and none was given");
        }
        trust(note);
        if (header.get("treeSize") instanceof Long size && size != checkpoint.size()) {
            throw new VerificationException("the export was made at tree size " + size + " but the checkpoint has size "
                    + checkpoint.size() + "; fetch the checkpoint of size " + size);
        }
        String line;
        long lineNumber = 1;
        while ((line = export.readLine()) != null) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            Map<String, Object> fields;
            try {
                fields = Json.parseObject(line);
            } catch (VerificationException e) {
                throw new VerificationException("line " + lineNumber + ": " + e.getMessage());
            }
            check(lineNumber, fields);
        }
    }

    private void csv(String headerLine, BufferedReader export) throws IOException, VerificationException {
        if (suppliedCheckpoint == null) {
            throw new VerificationException("a CSV export carries no checkpoint: give one");
        }
        trust(suppliedCheckpoint);
        List<String> columns = Objects.requireNonNullElse(record(CSVParser.parse(headerLine, Csv.FORMAT).iterator()), List.of());
        for (String column : ExportFormat.CSV_COLUMNS) {
            if (!columns.contains(column)) {
                throw new VerificationException("the CSV header has no column " + column);
            }
        }
        complete = !columns.contains(ExportFormat.CSV_INCLUSION_PROOF);
        long lineNumber = 1;
        Iterator<CSVRecord> records = CSVParser.parse(export, Csv.FORMAT).iterator();
        List<String> row;
        while ((row = record(records)) != null) {
            lineNumber++;
            if (row.size() != columns.size()) {
                throw new VerificationException("line " + lineNumber + " has " + row.size() + " columns, the header " + columns.size());
            }
            Map<String, String> cells = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                cells.put(columns.get(i), row.get(i));
            }
            Map<String, Object> fields = new HashMap<>();
            try {
                fields.put("seq", Long.parseLong(cells.get("seq")));
            } catch (NumberFormatException e) {
                throw new VerificationException("line " + lineNumber + ": seq '" + cells.get("seq") + "' is not a number");
            }
            fields.put("eventId", cells.get("event_id"));
            fields.put("type", cells.get("type"));
            fields.put("purpose", cells.get("purpose").isEmpty() ? null : cells.get("purpose"));
            fields.put("eventTime", cells.get("event_time"));
            fields.put("receivedAt", cells.get("received_at"));
            fields.put("payload", Json.parse(cells.get("payload")));
            fields.put("entry", cells.get("entry"));
            fields.put("leafHash", cells.get("leaf_hash"));
            if (!complete) {
                String proof = cells.get(ExportFormat.CSV_INCLUSION_PROOF);
                fields.put("inclusionProof", proof.isEmpty() ? List.of() : List.of((Object[]) proof.split(" ")));
            }
            check(lineNumber, fields);
        }
    }

    /** The next record's fields, or null at the end. */
    private static List<String> record(Iterator<CSVRecord> records) throws IOException, VerificationException {
        try {
            return records.hasNext() ? records.next().toList() : null;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CSVException malformed) {
                throw new VerificationException("not valid CSV: " + malformed.getMessage());
            }
            throw e.getCause();
        }
    }

    private void trust(String note) throws VerificationException {
        Checkpoint c = Checkpoint.parse(SignedNote.open(note, key));
        if (!c.origin().equals(key.name())) {
            throw new VerificationException("the checkpoint is of log " + c.origin() + ", the key of " + key.name());
        }
        checkpoint = c;
    }

    private void check(long lineNumber, Map<String, Object> fields) throws VerificationException {
        String where = "line " + lineNumber;
        if (!(fields.get("seq") instanceof Long seq)) {
            throw new VerificationException(where + " has no seq");
        }
        where = "entry " + seq + " (line " + lineNumber + ")";
        byte[] bytes = base64(fields.get("entry"), where + ": its entry bytes");
        LogEntry entry;
        try {
            entry = LogEntry.parse(bytes);
        } catch (VerificationException e) {
            throw new VerificationException(where + ": " + e.getMessage());
        }
        byte[] leafHash = MerkleTree.leafHash(bytes);
        if (fields.get("leafHash") != null && !MessageDigest.isEqual(leafHash, base64(fields.get("leafHash"), where + ": leafHash"))) {
            throw new VerificationException(where + ": its entry bytes do not hash to its leafHash; the entry was changed");
        }
        if (entry.seq() != seq) {
            throw new VerificationException(where + ": the line says seq " + seq + " but its entry bytes say " + entry.seq());
        }
        readable(where, entry, fields);
        if (tenant == null) {
            tenant = entry.tenant();
        } else if (!tenant.equals(entry.tenant())) {
            throw new VerificationException(where + ": it belongs to tenant " + entry.tenant() + ", the export to " + tenant);
        }
        if (seq >= checkpoint.size()) {
            throw new VerificationException(where + ": the checkpoint covers only entries 0 to " + (checkpoint.size() - 1)
                    + "; this one was added or the checkpoint is older than the export");
        }
        if (complete) {
            if (seq > tree.size()) {
                throw new VerificationException("entry " + tree.size() + " is missing: the next line (" + lineNumber
                        + ") holds entry " + seq);
            }
            if (seq < tree.size()) {
                throw new VerificationException(where + ": it appears out of order or twice; entry " + tree.size()
                        + " was expected");
            }
            tree.append(leafHash);
        } else {
            if (seq <= lastSeq) {
                throw new VerificationException(where + ": it appears out of order or twice after entry " + lastSeq);
            }
            List<byte[]> proof = new ArrayList<>();
            if (!(fields.get("inclusionProof") instanceof List<?> hashes)) {
                throw new VerificationException(where + ": a filtered export carries an inclusion proof per entry");
            }
            for (Object h : hashes) {
                proof.add(base64(h, where + ": inclusion proof"));
            }
            if (!Proofs.verifyInclusion(seq, checkpoint.size(), leafHash, proof, checkpoint.rootHash())) {
                throw new VerificationException(where + ": it is not in the log at this position: its inclusion proof does"
                        + " not lead to the checkpoint's root; the entry or its proof was changed");
            }
        }
        lastSeq = seq;
        entries++;
    }

    private static void readable(String where, LogEntry entry, Map<String, Object> fields) throws VerificationException {
        same(where, "eventId", entry.eventId().toString(), fields.get("eventId"));
        same(where, "type", entry.type(), fields.get("type"));
        same(where, "purpose", entry.purpose(), fields.get("purpose"));
        sameInstant(where, "eventTime", entry.time(), fields.get("eventTime"));
        sameInstant(where, "receivedAt", entry.receivedAt(), fields.get("receivedAt"));
        if (fields.containsKey("payload") && !LogEntry.sameClearValues(entry.data(), fields.get("payload"))) {
            throw new VerificationException(where + ": its payload differs from what its entry bytes hold");
        }
    }

    private static void same(String where, String name, Object inEntry, Object shown) throws VerificationException {
        if (!Objects.equals(inEntry, shown)) {
            throw new VerificationException(where + ": " + name + " shows " + shown + " but its entry bytes hold " + inEntry);
        }
    }

    private static void sameInstant(String where, String name, Instant inEntry, Object shown) throws VerificationException {
        try {
            if (shown instanceof String s && Instant.parse(s).equals(inEntry)) {
                return;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new VerificationException(where + ": " + name + " shows " + shown + " but its entry bytes hold " + inEntry);
    }

    private Result finish() throws VerificationException {
        if (!complete) {
            return new Result(true, entries, "valid: " + entries + " entries of " + checkpoint.origin()
                    + " are in the log at the positions shown, each proven against the checkpoint of size " + checkpoint.size()
                    + " (a filtered export: entries outside the filter are not part of this check)");
        }
        if (tree.size() < checkpoint.size()) {
            throw new VerificationException("entry " + tree.size() + " is missing: the export ends after " + tree.size()
                    + " entries but the checkpoint covers " + checkpoint.size());
        }
        if (!MessageDigest.isEqual(tree.root(), checkpoint.rootHash())) {
            throw new VerificationException("the " + tree.size() + " entries do not hash to the checkpoint's root: at least one"
                    + " entry was changed together with its leafHash, or the export is of another log");
        }
        return new Result(true, entries, "valid: all " + entries + " entries of " + checkpoint.origin()
                + " match the signed checkpoint of size " + checkpoint.size() + " with root "
                + Base64.getEncoder().encodeToString(checkpoint.rootHash()));
    }

    /** A base64 member of an export line or receipt, or why it is not one. */
    static byte[] base64(Object value, String what) throws VerificationException {
        if (value instanceof String s) {
            try {
                return Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                // reported below
            }
        }
        throw new VerificationException(what + " is not base64");
    }

    private static String stringOrNull(Object value) {
        return value instanceof String s ? s : null;
    }
}
