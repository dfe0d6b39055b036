package io.samtykke.consent.identifier;

import io.samtykke.kit.crypto.Hkdf;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * One tenant's identifier keys: an AES-256-GCM key for the ciphertext, a separate HMAC-SHA-256
 * key for the blind index and one for the erasure suppression tags, all derived (HKDF-SHA-256, RFC 5869) from the tenant key, so the index
 * leaks nothing about the encryption key and one tenant's index is useless for another.
 */
final class IdentifierKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;

    private final SecretKeySpec encryption;
    private final ThreadLocal<Mac> indexMac;
    private final ThreadLocal<Mac> suppressionMac;

    private IdentifierKeys(byte[] tenantKey) {
        if (tenantKey.length < 32) {
            throw new IllegalArgumentException("identifier keys must be at least 32 bytes");
        }
        this.encryption = new SecretKeySpec(Hkdf.sha256(tenantKey, "samtykke identifiers encryption"), "AES");
        this.indexMac = macOf(new SecretKeySpec(Hkdf.sha256(tenantKey, "samtykke identifiers blind index"), "HmacSHA256"));
        this.suppressionMac = macOf(new SecretKeySpec(Hkdf.sha256(tenantKey, "samtykke erasure suppression"), "HmacSHA256"));
    }

    static IdentifierKeys fromTenantKey(byte[] key) {
        return new IdentifierKeys(key);
    }

    static IdentifierKeys derive(byte[] masterKey, String tenant) {
        if (masterKey.length < 32) {
            throw new IllegalArgumentException("samtykke.identifiers.master-key must be at least 32 bytes");
        }
        return new IdentifierKeys(Hkdf.sha256(masterKey, "samtykke tenant " + tenant));
    }

    byte[] blindIndex(String type, String normalizedValue) {
        return hmac(indexMac, type + ":" + normalizedValue);
    }

    /**
     * The tag an erasure leaves of a subject id or of an identifier's blind index: a keyed hash under its own key, so
     * the suppression list reads as nothing and cannot be joined with the blind index or another tenant's list.
     */
    byte[] suppressionTag(String what) {
        return hmac(suppressionMac, what);
    }

    private static byte[] hmac(ThreadLocal<Mac> mac, String text) {
        return mac.get().doFinal(text.getBytes(StandardCharsets.UTF_8)); // doFinal leaves the Mac ready for the next
    }

    /** A keyed Mac per thread: looking the algorithm up and keying it on every write cost 1 % of a write's CPU. */
    private static ThreadLocal<Mac> macOf(SecretKeySpec key) {
        return ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** nonce || ciphertext+tag; {@code context} is bound as associated data so rows cannot be swapped. */
    byte[] encrypt(String plain, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, encryption, new GCMParameterSpec(128, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String decrypt(byte[] stored, String context) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, encryption, new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("identifier ciphertext does not decrypt with this tenant's key", e);
        }
    }
}
