package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed notes and checkpoints against an independent implementation: the example key and note of
 * Go's golang.org/x/mod/sumdb/note (the reference for C2SP signed-note). Ed25519 is deterministic, so
 * signing the same text with the same key must reproduce Go's note byte for byte.
 */
class SignedNoteTest {

    /** Go's example signer key: PRIVATE+KEY+PeterNeumann+c74f20a3+base64(0x01 || 32-byte seed). */
    static final String GO_SIGNER_KEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    static final String GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static final String GO_TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    static final String GO_NOTE = GO_TEXT + "\n"
            + "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    @Test
    void signingGosExampleTextWithGosExampleKeyReproducesGosNoteByteForByte() throws Exception {
        NoteKey signer = NoteKey.signer("PeterNeumann", goKeyPair());
        assertEquals(GO_VERIFIER_KEY, signer.verifierKey(), "key ID and public key derived from the seed");
        assertEquals(GO_NOTE, SignedNote.sign(GO_TEXT, signer));
    }

    @Test
    void gosNoteOpensWithGosVerifierKey() throws Exception {
        assertEquals(GO_TEXT, SignedNote.open(GO_NOTE, NoteKey.verifier(GO_VERIFIER_KEY)));
    }

    @Test
    void aChangedTextOrSignatureIsRejected() throws Exception {
        NoteKey key = NoteKey.verifier(GO_VERIFIER_KEY);
        VerificationException text = assertThrows(VerificationException.class,
                () -> SignedNote.open(GO_NOTE.replace("cryptography", "cryptographY"), key));
        assertTrue(text.getMessage().contains("does not verify"), text.getMessage());
        String badSignature = GO_NOTE.replace("x08go/ZJ", "x08go/ZK");
        assertThrows(VerificationException.class, () -> SignedNote.open(badSignature, key));
    }

    @Test
    void aNoteWithoutASignatureOfTheGivenKeyIsRejectedAndOthersSignaturesAreIgnored() throws Exception {
        NoteKey other = NoteKey.signer("PeterNeumann", Ed25519Keys.generate());
        VerificationException e = assertThrows(VerificationException.class, () -> SignedNote.open(GO_NOTE, other));
        assertTrue(e.getMessage().contains("no signature of PeterNeumann"), e.getMessage());

        String cosigned = GO_NOTE + SignedNote.sign(GO_TEXT, NoteKey.signer("witness.example", Ed25519Keys.generate()))
                .substring(GO_TEXT.length() + 1);
        assertEquals(GO_TEXT, SignedNote.open(cosigned, NoteKey.verifier(GO_VERIFIER_KEY)));
    }

    @Test
    void verifierKeysWithAWrongKeyIdNameOrTypeAreRefused() {
        assertThrows(VerificationException.class, () -> NoteKey.verifier(GO_VERIFIER_KEY.replace("c74f20a3", "c74f20a4")));
        assertThrows(VerificationException.class, () -> NoteKey.verifier(GO_VERIFIER_KEY.replace("PeterNeumann", "PeterNeuman")));
        assertThrows(VerificationException.class, () -> NoteKey.verifier(GO_VERIFIER_KEY.replace("+ARpc", "+AhPc")));
        assertThrows(VerificationException.class, () -> NoteKey.verifier("no-plus-signs-at-all"));
    }

    @Test
    void aPemKeyRoundTripsAndSignsWhatItsVerifierKeyOpens() throws Exception {
        KeyPair keys = Ed25519Keys.generate();
        KeyPair read = Ed25519Keys.fromPem(Ed25519Keys.toPem(keys.getPrivate()));
        assertArrayEquals(Ed25519Keys.raw(keys.getPublic()), Ed25519Keys.raw(read.getPublic()));
        NoteKey signer = NoteKey.signer("samtykke.example/audit/acme", read);
        String note = SignedNote.sign("samtykke.example/audit/acme\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", signer);
        assertEquals(Checkpoint.parse("samtykke.example/audit/acme\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"),
                Checkpoint.parse(SignedNote.open(note, NoteKey.verifier(signer.verifierKey()))));
    }

    @Test
    void theC2spExampleCheckpointParsesAndFormatsBackExactly() throws Exception {
        String body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        Checkpoint c = Checkpoint.parse(body);
        assertEquals("example.com/behind-the-sofa", c.origin());
        assertEquals(20852163L, c.size());
        assertEquals(body, c.body());
        assertEquals(body + "an extension\n", new Checkpoint(c.origin(), c.size(), c.rootHash(), List.of("an extension")).body());
    }

    @Test
    void malformedCheckpointsAreRefused() {
        String root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
        for (String body : List.of("o\n12\n" + root, "o\n012\n" + root + "\n", "o\n-1\n" + root + "\n", "\n1\n" + root + "\n",
                "o\n1\nCsUYapGG\n", "o\n1\n" + root + "\n\n", "o\n1\n")) {
            assertThrows(VerificationException.class, () -> Checkpoint.parse(body), body);
        }
    }

    private static KeyPair goKeyPair() {
        String[] parts = GO_SIGNER_KEY.split("\\+", 5);
        byte[] typed = Base64.getDecoder().decode(parts[4]);
        assertEquals(1, typed[0], "Ed25519");
        return Ed25519Keys.fromSeed(Arrays.copyOfRange(typed, 1, typed.length));
    }
}
