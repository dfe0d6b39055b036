package io.samtykke.audit.verifier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The C2SP signed-note format: a text ending in a newline, an empty line, then one line per
 * signature, {@code — <key name> <base64(4-byte key ID || signature)>} (U+2014 em dash, space).
 */
public final class SignedNote {

    private static final String DASH = "\u2014 ";
    private static final int MAX_SIGNATURES = 100;

    private SignedNote() {
    }

    /** The note of {@code text} with one signature by {@code key}. */
    public static String sign(String text, NoteKey key) {
        checkText(text);
        byte[] signature = key.sign(text.getBytes(StandardCharsets.UTF_8));
        byte[] line = ByteBuffer.allocate(4 + signature.length).putInt(key.keyId()).put(signature).array();
        return text + "\n" + DASH + key.name() + " " + Base64.getEncoder().encodeToString(line) + "\n";
    }

    /**
     * The text of {@code note} when {@code key} signed it. Signatures of other keys are ignored, as the
     * format requires; a failing signature of this key rejects the note.
     */
    public static String open(String note, NoteKey key) throws VerificationException {
        if (note.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new VerificationException("the note holds control characters");
        }
        if (!note.endsWith("\n")) {
            throw new VerificationException("the note does not end with a newline");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new VerificationException("the note has no empty line before its signatures");
        }
        String text = note.substring(0, split + 1);
        String[] lines = note.substring(split + 2, note.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new VerificationException("the note has more than " + MAX_SIGNATURES + " signatures");
        }
        byte[] message = text.getBytes(StandardCharsets.UTF_8);
        boolean verified = false;
        for (String line : lines) {
            Parsed sig = parse(line);
            if (!sig.name.equals(key.name()) || sig.keyId != key.keyId()) {
                continue;
            }
            if (!key.verify(message, sig.signature)) {
                throw new VerificationException("the signature of " + key.name() + " does not verify: the note was changed"
                        + " or signed by another key");
            }
            verified = true;
        }
        if (!verified) {
            throw new VerificationException("the note carries no signature of " + key.name() + " with key ID of the given key");
        }
        return text;
    }

    private record Parsed(String name, int keyId, byte[] signature) {
    }

    private static Parsed parse(String line) throws VerificationException {
        if (!line.startsWith(DASH)) {
            throw new VerificationException("a signature line starts with an em dash and a space: '" + line + "'");
        }
        String rest = line.substring(DASH.length());
        int space = rest.indexOf(' ');
        if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
            throw new VerificationException("a signature line reads '— <key name> <base64>': '" + line + "'");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(rest.substring(space + 1));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("a signature is not base64: '" + line + "'");
        }
        if (blob.length < 5) {
            throw new VerificationException("a signature is too short: '" + line + "'");
        }
        ByteBuffer b = ByteBuffer.wrap(blob);
        int keyId = b.getInt();
        byte[] signature = new byte[b.remaining()];
        b.get(signature);
        return new Parsed(rest.substring(0, space), keyId, signature);
    }

    private static void checkText(String text) {
        if (text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("a note's text ends with a newline");
        }
        if (text.chars().anyMatch(c -> c < 0x20 && c != '\n')) {
            throw new IllegalArgumentException("a note's text holds no control characters but newlines");
        }
    }
}
