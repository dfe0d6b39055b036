package io.samtykke.audit.verifier;

import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** A small signed log in memory and its exports, written the way audit-service writes them. */
final class TestLog {

    static final String ORIGIN = "samtykke.example/audit/acme";

    final NoteKey signer = NoteKey.signer(ORIGIN, keys());
    final List<LogEntry> entries = new ArrayList<>();

    TestLog(int size) {
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        for (int i = 0; i < size; i++) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("state", i % 3 == 0 ? "WITHDRAWN" : "GRANTED");
            data.put("subjectSeq", (long) i + 1);
            data.put("subjectId", LogEntry.sealed(new byte[] {(byte) i, 1, 2}));
            data.put("evidence", Map.of("ipPrefix", LogEntry.sealed(new byte[] {(byte) i, 3}), "actor", Map.of("type", "SUBJECT")));
            entries.add(new LogEntry("acme", i, new UUID(42, i), i % 3 == 0 ? "io.samtykke.consent.withdrawn.v1"
                    : "io.samtykke.consent.granted.v1", "/samtykke/consent-service", t.plusSeconds(i),
                    i % 2 == 0 ? "newsletter" : "sms-offers", "subject-" + (i % 4), (long) i + 1, t.plusSeconds(i).plusMillis(20), data));
        }
    }

    String verifierKey() {
        return signer.verifierKey();
    }

    byte[] root(int size) {
        return MerkleTree.root(entries.subList(0, size).stream().map(LogEntry::leafHash).toList());
    }

    String checkpoint(int size) {
        return SignedNote.sign(new Checkpoint(ORIGIN, size, root(size)).body(), signer);
    }

    List<String> ndjson() {
        List<String> lines = new ArrayList<>();
        lines.add(header(true));
        entries.forEach(e -> lines.add(CanonicalJson.write(line(e))));
        return lines;
    }

    /** A filtered export: the entries that match, each with its inclusion proof. */
    List<String> ndjson(Predicate<LogEntry> filter) {
        List<String> lines = new ArrayList<>();
        lines.add(header(false));
        for (LogEntry e : entries) {
            if (filter.test(e)) {
                Map<String, Object> line = line(e);
                line.put("inclusionProof", proof(e.seq()));
                lines.add(CanonicalJson.write(line));
            }
        }
        return lines;
    }

    List<String> csv() {
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", ExportFormat.CSV_COLUMNS));
        for (LogEntry e : entries) {
            Map<String, Object> l = line(e);
            lines.add(ExportFormat.CSV_COLUMNS.stream().map(c -> switch (c) {
                case "seq" -> String.valueOf(e.seq());
                case "event_id" -> e.eventId().toString();
                case "type" -> e.type();
                case "subject_id" -> "someone, \"quoted\"";
                case "purpose" -> e.purpose();
                case "event_time" -> e.time().toString();
                case "received_at" -> e.receivedAt().toString();
                case "erased" -> "false";
                case "payload" -> CanonicalJson.write(l.get("payload"));
                case "entry" -> (String) l.get("entry");
                case "leaf_hash" -> (String) l.get("leafHash");
                default -> throw new IllegalStateException(c);
            }).map(Csv::field).collect(Collectors.joining(",")));
        }
        return lines;
    }

    List<String> proof(long seq) {
        Map<NodeId, byte[]> store = MerkleTreeTest.completeSubtrees(entries.stream().map(LogEntry::toBytes).toList());
        return ProofPlan.inclusion(seq, entries.size()).hashes(store::get).stream()
                .map(h -> Base64.getEncoder().encodeToString(h)).toList();
    }

    private String header(boolean complete) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("export", ExportFormat.KIND);
        header.put("version", ExportFormat.VERSION);
        header.put("origin", ORIGIN);
        header.put("treeSize", entries.size());
        header.put("rootHash", Base64.getEncoder().encodeToString(root(entries.size())));
        header.put("checkpoint", checkpoint(entries.size()));
        header.put("complete", complete);
        return CanonicalJson.write(header);
    }

    /** The readable members beside the entry bytes: the payload with its sealed values opened. */
    static Map<String, Object> line(LogEntry e) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", e.seq());
        line.put("eventId", e.eventId().toString());
        line.put("type", e.type());
        line.put("subjectId", "subject-" + e.seq() % 4);
        line.put("purpose", e.purpose());
        line.put("eventTime", e.time().toString());
        line.put("receivedAt", e.receivedAt().toString());
        line.put("payload", opened(e.data()));
        line.put("erased", false);
        line.put("entry", Base64.getEncoder().encodeToString(e.toBytes()));
        line.put("leafHash", Base64.getEncoder().encodeToString(e.leafHash()));
        return line;
    }

    private static Object opened(Object data) {
        if (LogEntry.isSealedOrErased(data)) {
            return "opened value";
        }
        if (data instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, opened(v)));
            return out;
        }
        return data;
    }

    private static KeyPair keys() {
        return Ed25519Keys.fromSeed(new byte[32]);
    }
}
