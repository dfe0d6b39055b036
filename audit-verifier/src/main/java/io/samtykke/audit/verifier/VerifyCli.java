package io.samtykke.audit.verifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline verifier: checks an export or a receipt of audit-service against the log's public key,
 * with nothing but a Java runtime. Prints what it found; exits 0 when valid, 1 when not, 2 on misuse.
 *
 * <pre>
 * java -jar audit-verifier.jar export  EXPORT_FILE  --key KEY [--checkpoint CHECKPOINT_FILE]
 * java -jar audit-verifier.jar receipt RECEIPT_FILE --key KEY
 * </pre>
 * KEY is the verifier key string ({@code name+hash+base64}, from {@code GET /v1/public-key}) or a file holding it.
 */
public final class VerifyCli {

    static final int VALID = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: java -jar audit-verifier.jar export  EXPORT_FILE  --key KEY [--checkpoint CHECKPOINT_FILE]
                   java -jar audit-verifier.jar receipt RECEIPT_FILE --key KEY
              EXPORT_FILE      an export of GET /v1/export (format ndjson or csv)
              RECEIPT_FILE     a receipt of GET /v1/receipts/{eventId}
              KEY              the log's verifier key (GET /v1/public-key), or a file holding it
              CHECKPOINT_FILE  a checkpoint of GET /v1/checkpoint to check against (required for csv;
                               default for ndjson: the checkpoint in the export's first line)
            exit code: 0 valid, 1 invalid (the first failing entry is named), 2 usage or read error""";

    private VerifyCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        String key = null;
        String checkpoint = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--key" -> key = i + 1 < args.length ? args[++i] : null;
                case "--checkpoint" -> checkpoint = i + 1 < args.length ? args[++i] : null;
                case "-h", "--help" -> {
                    out.println(USAGE_TEXT);
                    return VALID;
                }
                default -> positional.add(args[i]);
            }
        }
        if (positional.size() != 2 || key == null || !List.of("export", "receipt").contains(positional.get(0))) {
            err.println(USAGE_TEXT);
            return USAGE;
        }
        try {
            NoteKey noteKey = NoteKey.verifier(textOrFile(key));
            Path file = Path.of(positional.get(1));
            if (positional.get(0).equals("export")) {
                String note = checkpoint == null ? null : Files.readString(Path.of(checkpoint), StandardCharsets.UTF_8);
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    ExportVerifier.Result result = new ExportVerifier(noteKey, note).verify(in);
                    (result.valid() ? out : err).println((result.valid() ? "" : "INVALID: ") + result.message());
                    return result.valid() ? VALID : INVALID;
                }
            }
            LogEntry entry = ReceiptVerifier.verify(Json.parseObject(Files.readString(file, StandardCharsets.UTF_8)), noteKey);
            out.println("valid: receipt " + entry.eventId() + " is entry " + entry.seq() + " of " + noteKey.name()
                    + ", proven against its signed checkpoint");
            return VALID;
        } catch (VerificationException e) {
            err.println("INVALID: " + e.getMessage());
            return INVALID;
        } catch (IOException e) {
            err.println("cannot read " + e.getMessage());
            return USAGE;
        }
    }

    private static String textOrFile(String value) throws IOException {
        Path path = Path.of(value);
        return Files.isRegularFile(path) ? Files.readString(path, StandardCharsets.UTF_8).strip() : value;
    }
}
