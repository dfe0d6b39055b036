package io.samtykke.audit.verifier;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An Ed25519 key of the C2SP signed-note format: a key name and a public key, identified by the key ID
 * {@code SHA-256(name || 0x0A || 0x01 || public key)[:4]} and written as the verifier key
 * {@code <name>+<8 hex digits of the key ID>+<base64(0x01 || public key)>}. With a private key it signs.
 */
public final class NoteKey {

    static final byte ED25519 = 0x01;

    private final String name;
    private final byte[] publicKey;
    private final PrivateKey privateKey;
    private final int keyId;

    private NoteKey(String name, byte[] publicKey, PrivateKey privateKey) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("a key name is non-empty, without spaces or '+': '" + name + "'");
        }
        this.name = name;
        this.publicKey = publicKey.clone();
        this.privateKey = privateKey;
        this.keyId = keyId(name, publicKey);
    }

    /** A key that signs as {@code name}. */
    public static NoteKey signer(String name, KeyPair keys) {
        return new NoteKey(name, Ed25519Keys.raw(keys.getPublic()), keys.getPrivate());
    }

    /** Reads a verifier key string, checking that its key ID belongs to its name and public key. */
    public static NoteKey verifier(String verifierKey) throws VerificationException {
        String[] parts = verifierKey.strip().split("\\+", 3);
        if (parts.length != 3 || !parts[1].matches("[0-9a-f]{8}")) {
            throw new VerificationException("a verifier key reads <name>+<8 hex digits>+<base64 key>");
        }
        byte[] typed;
        try {
            typed = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the verifier key's public key is not base64");
        }
        if (typed.length != 33 || typed[0] != ED25519) {
            throw new VerificationException("the verifier key is not an Ed25519 key (type 0x01, 32 bytes)");
        }
        if (!isValidName(parts[0])) {
            throw new VerificationException("the verifier key's name '" + parts[0] + "' is empty or has spaces or '+'");
        }
        NoteKey key = new NoteKey(parts[0], Arrays.copyOfRange(typed, 1, typed.length), null);
        if (!hex(key.keyId).equals(parts[1])) {
            throw new VerificationException("the verifier key's ID " + parts[1] + " does not belong to its name and key");
        }
        return key;
    }

    public static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && name.codePoints().noneMatch(c -> c == '+' || Character.isWhitespace(c)
                || Character.isSpaceChar(c) || Character.isISOControl(c));
    }

    public String name() {
        return name;
    }

    public int keyId() {
        return keyId;
    }

    public String verifierKey() {
        byte[] typed = new byte[33];
        typed[0] = ED25519;
        System.arraycopy(publicKey, 0, typed, 1, 32);
        return name + "+" + hex(keyId) + "+" + Base64.getEncoder().encodeToString(typed);
    }

    byte[] sign(byte[] message) {
        if (privateKey == null) {
            throw new IllegalStateException("the key " + name + " can only verify");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    boolean verify(byte[] message, byte[] signature) {
        try {
            PublicKey key = Ed25519Keys.publicKey(publicKey);
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    static int keyId(String name, byte[] publicKey) {
        var sha = MerkleTree.sha256();
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x0A);
        sha.update(ED25519);
        sha.update(publicKey);
        return ByteBuffer.wrap(sha.digest(), 0, 4).getInt();
    }

    @Override
    public String toString() {
        return verifierKey();
    }

    private static String hex(int keyId) {
        return HexFormat.of().toHexDigits(keyId);
    }
}
