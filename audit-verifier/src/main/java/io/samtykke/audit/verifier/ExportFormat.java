package io.samtykke.audit.verifier;

import java.util.List;

/**
 * The export formats audit-service streams and {@link ExportVerifier} reads.
 *
 * <p>NDJSON: a header line, then one line per entry in seq order:
 * <pre>{@code
 * {"export":"samtykke-audit-export","version":1,"origin":"samtykke.example/audit/acme","treeSize":2,
 *  "rootHash":"<base64>","checkpoint":"<signed note>","complete":true,"filter":{}}
 * {"seq":0,"eventId":"…","type":"…","subjectId":"anna","purpose":"newsletter","eventTime":"…","receivedAt":"…",
 *  "payload":{…},"erased":false,"entry":"<base64 entry bytes>","leafHash":"<base64>"}
 * }</pre>
 * A complete export holds every entry below {@code treeSize}; a filtered one ({@code "complete":false})
 * holds some, each with {@code inclusionProof} (base64 hashes, RFC 9162 order) against {@code treeSize}.
 *
 * <p>CSV (RFC 4180, a header row): the columns of {@link #CSV_COLUMNS}, {@code payload} as JSON text, and
 * {@code inclusion_proof} (space-separated base64) in a filtered export. The checkpoint comes separately.
 */
public final class ExportFormat {

    public static final String KIND = "samtykke-audit-export";
    public static final int VERSION = 1;

    public static final List<String> CSV_COLUMNS = List.of("seq", "event_id", "type", "subject_id", "purpose",
            "event_time", "received_at", "erased", "payload", "entry", "leaf_hash");
    public static final String CSV_INCLUSION_PROOF = "inclusion_proof";

    private ExportFormat() {
    }
}
