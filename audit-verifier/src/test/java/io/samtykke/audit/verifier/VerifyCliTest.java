package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The offline verifier as an auditor runs it: files on disk, a verdict on the console, an exit code.
 * Every way of changing, removing, adding or reordering an exported entry is caught and the entry named.
 */
class VerifyCliTest {

    @TempDir
    Path dir;

    final TestLog log = new TestLog(25);

    @Test
    void aCompleteExportThatMatchesItsSignedCheckpointIsValid() throws IOException {
        Outcome ndjson = verify(log.ndjson());
        assertEquals(VerifyCli.VALID, ndjson.exit, ndjson.text);
        assertTrue(ndjson.text.startsWith("valid: all 25 entries of samtykke.example/audit/acme match the signed checkpoint of"
                + " size 25"), ndjson.text);

        Outcome withSeparateCheckpoint = verify(log.ndjson(), "--checkpoint", write("cp.txt", log.checkpoint(25)).toString());
        assertEquals(VerifyCli.VALID, withSeparateCheckpoint.exit, withSeparateCheckpoint.text);
    }

    @Test
    void aChangedReadableValueNamesItsEntry() throws IOException {
        List<String> lines = log.ndjson();
        lines.set(8, lines.get(8).replace("\"state\":\"GRANTED\"", "\"state\":\"WITHDRAWN\""));
        assertInvalid(verify(lines), "entry 7 (line 9): its payload differs from what its entry bytes hold");

        lines = log.ndjson();
        lines.set(4, lines.get(4).replace("\"purpose\":\"sms-offers\"", "\"purpose\":\"newsletter\""));
        assertInvalid(verify(lines), "entry 3 (line 5): purpose shows newsletter but its entry bytes hold sms-offers");
    }

    @Test
    void changedEntryBytesNameTheirEntry() throws IOException {
        List<String> lines = log.ndjson();
        lines.set(11, withEntry(lines.get(11), bytes -> bytes.replace("\"state\":\"GRANTED\"", "\"state\":\"DENIED\""), false));
        assertInvalid(verify(lines), "entry 10 (line 12): its entry bytes do not hash to its leafHash; the entry was changed");
    }

    @Test
    void changedEntryBytesWithARecomputedLeafHashBreakTheRoot() throws IOException {
        List<String> lines = log.ndjson();
        lines.set(11, withEntry(lines.get(11), bytes -> bytes.replace("\"receivedAt\":\"2026-05-01T10:00:10.020Z\"",
                "\"receivedAt\":\"2026-05-01T10:00:10.021Z\""), true));
        lines.set(11, lines.get(11).replace("\"receivedAt\":\"2026-05-01T10:00:10.020Z\"", "\"receivedAt\":\"2026-05-01T10:00:10.021Z\""));
        assertInvalid(verify(lines), "the 25 entries do not hash to the checkpoint's root");
    }

    @Test
    void aRemovedEntryIsNamed() throws IOException {
        List<String> lines = log.ndjson();
        lines.remove(13);
        assertInvalid(verify(lines), "entry 12 is missing: the next line (14) holds entry 13");

        List<String> truncated = log.ndjson().subList(0, 21);
        assertInvalid(verify(truncated), "entry 20 is missing: the export ends after 20 entries but the checkpoint covers 25");
    }

    @Test
    void reorderedEntriesAreNamed() throws IOException {
        List<String> lines = log.ndjson();
        String fifth = lines.get(5);
        lines.set(5, lines.get(6));
        lines.set(6, fifth);
        assertInvalid(verify(lines), "entry 4 is missing: the next line (6) holds entry 5");

        List<String> renumbered = log.ndjson();
        renumbered.set(6, renumbered.get(6).replace("\"seq\":5,", "\"seq\":4,"));
        assertInvalid(verify(renumbered), "entry 4 (line 7): the line says seq 4 but its entry bytes say 5");
    }

    @Test
    void anAddedEntryIsNamed() throws IOException {
        TestLog longer = new TestLog(26);
        List<String> lines = log.ndjson();
        lines.add(CanonicalJson.write(TestLog.line(longer.entries.get(25))));
        assertInvalid(verify(lines), "entry 25 (line 27): the checkpoint covers only entries 0 to 24");

        List<String> duplicated = log.ndjson();
        duplicated.add(10, duplicated.get(9));
        assertInvalid(verify(duplicated), "entry 8 (line 11): it appears out of order or twice; entry 9 was expected");
    }

    @Test
    void aCheckpointOfAnotherKeyOrSizeIsRefused() throws IOException {
        TestLog other = new TestLog(25);
        String foreignKey = NoteKey.signer(TestLog.ORIGIN, Ed25519Keys.generate()).verifierKey();
        Outcome wrongKey = run("export", write("export.ndjson", String.join("\n", log.ndjson()) + "\n").toString(), "--key", foreignKey);
        assertInvalid(wrongKey, "no signature of samtykke.example/audit/acme");

        Outcome olderCheckpoint = verify(log.ndjson(), "--checkpoint", write("cp.txt", other.checkpoint(20)).toString());
        assertInvalid(olderCheckpoint, "the export was made at tree size 25 but the checkpoint has size 20");
    }

    @Test
    void aCsvExportIsCheckedAgainstTheCheckpointGivenWithIt() throws IOException {
        Path checkpoint = write("cp.txt", log.checkpoint(25));
        Outcome valid = verify(log.csv(), "--checkpoint", checkpoint.toString());
        assertEquals(VerifyCli.VALID, valid.exit, valid.text);

        List<String> rows = log.csv();
        rows.set(3, rows.get(3).replace("io.samtykke.consent.granted.v1", "io.samtykke.consent.denied.v1"));
        assertInvalid(verify(rows, "--checkpoint", checkpoint.toString()),
                "entry 2 (line 4): type shows io.samtykke.consent.denied.v1 but its entry bytes hold io.samtykke.consent.granted.v1");

        assertInvalid(verify(log.csv()), "a CSV export carries no checkpoint: give one");
    }

    @Test
    void aCsvFieldWithALineBreakAndQuotesReadsBackAsWrittenAndAnUnclosedQuoteIsInvalid() throws IOException {
        LogEntry e = log.entries.get(4);
        log.entries.set(4, new LogEntry(e.tenant(), e.seq(), e.eventId(), e.type(), e.source(), e.time(), "news\nletter \"weekly\"",
                e.subject(), e.subjectSeq(), e.receivedAt(), e.data()));
        Path checkpoint = write("cp.txt", log.checkpoint(25));
        Outcome valid = verify(log.csv(), "--checkpoint", checkpoint.toString());
        assertEquals(VerifyCli.VALID, valid.exit, valid.text);

        List<String> rows = log.csv();
        rows.add("\"25,unclosed");
        assertInvalid(verify(rows, "--checkpoint", checkpoint.toString()), "not valid CSV: ");
    }

    @Test
    void aFilteredExportIsValidEntryByEntryThroughInclusionProofs() throws IOException {
        List<String> lines = log.ndjson(e -> "subject-1".equals(e.subject()));
        Outcome valid = verify(lines);
        assertEquals(VerifyCli.VALID, valid.exit, valid.text);
        assertTrue(valid.text.contains("valid: 6 entries"), valid.text);

        List<String> forged = new ArrayList<>(lines);
        forged.set(2, withEntry(forged.get(2), bytes -> bytes.replace("sms-offers", "newsletter"), true)
                .replace("\"purpose\":\"sms-offers\"", "\"purpose\":\"newsletter\""));
        assertInvalid(verify(forged), "entry 5 (line 3): it is not in the log at this position");
    }

    @Test
    void aReceiptIsProvenAgainstItsCheckpointAndItsFieldsAgainstItsEntry() throws IOException {
        LogEntry e = log.entries.get(10);
        Map<String, Object> receipt = receipt(e);
        Outcome valid = run("receipt", write("receipt.json", CanonicalJson.write(receipt)).toString(), "--key", log.verifierKey());
        assertEquals(VerifyCli.VALID, valid.exit, valid.text);
        assertTrue(valid.text.startsWith("valid: receipt " + e.eventId() + " is entry 10"), valid.text);

        receipt.put("consentTimestamp", "2026-05-01T09:00:00Z");
        Outcome changed = run("receipt", write("receipt.json", CanonicalJson.write(receipt)).toString(), "--key", log.verifierKey());
        assertInvalid(changed, "consentTimestamp 2026-05-01T09:00:00Z is not the entry's time");
    }

    @Test
    void misuseExitsWithTwoAndTheUsage() throws IOException {
        assertEquals(VerifyCli.USAGE, run("export").exit);
        assertEquals(VerifyCli.USAGE, run("nonsense", "file", "--key", log.verifierKey()).exit);
        Outcome missing = run("export", dir.resolve("absent.ndjson").toString(), "--key", log.verifierKey());
        assertEquals(VerifyCli.USAGE, missing.exit, missing.text);
    }

    private Map<String, Object> receipt(LogEntry e) {
        Map<String, Object> proof = new LinkedHashMap<>();
        proof.put("origin", TestLog.ORIGIN);
        proof.put("leafIndex", e.seq());
        proof.put("treeSize", 25);
        proof.put("entry", Base64.getEncoder().encodeToString(e.toBytes()));
        proof.put("inclusionProof", log.proof(e.seq()));
        proof.put("checkpoint", log.checkpoint(25));
        Map<String, Object> receipt = new LinkedHashMap<>();
        receipt.put("consentReceiptID", e.eventId().toString());
        receipt.put("consentTimestamp", e.time().toString());
        receipt.put("services", List.of(Map.of("service", e.purpose(), "purposes", List.of(Map.of("purpose", e.purpose())))));
        receipt.put("event", Map.of("state", "GRANTED"));
        receipt.put("proof", proof);
        return receipt;
    }

    private interface Edit {
        String apply(String entryText);
    }

    /** The line with its entry bytes edited; with {@code rehash} its leafHash is recomputed to match. */
    private static String withEntry(String line, Edit edit, boolean rehash) {
        try {
            Map<String, Object> fields = Json.parseObject(line);
            String entry = new String(Base64.getDecoder().decode((String) fields.get("entry")), StandardCharsets.UTF_8);
            byte[] changed = edit.apply(entry).getBytes(StandardCharsets.UTF_8);
            fields.put("entry", Base64.getEncoder().encodeToString(changed));
            if (rehash) {
                fields.put("leafHash", Base64.getEncoder().encodeToString(MerkleTree.leafHash(changed)));
            }
            return CanonicalJson.write(fields);
        } catch (VerificationException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Outcome(int exit, String text) {
    }

    private Outcome verify(List<String> lines, String... extra) throws IOException {
        Path file = write("export.txt", String.join("\n", lines) + "\n");
        List<String> args = new ArrayList<>(List.of("export", file.toString(), "--key", write("key.txt", log.verifierKey()).toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = VerifyCli.run(args, print, print);
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8).strip());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static void assertInvalid(Outcome outcome, String expected) {
        assertEquals(VerifyCli.INVALID, outcome.exit, outcome.text);
        assertTrue(outcome.text.startsWith("INVALID: ") && outcome.text.contains(expected),
                "expected '" + expected + "' in: " + outcome.text);
    }
}
