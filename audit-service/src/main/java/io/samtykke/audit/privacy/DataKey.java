package io.samtykke.audit.privacy;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * One subject's AES-256-GCM data key, or the mark that it was destroyed. A sealed value is
 * {@code nonce (12 bytes) || ciphertext || tag}, bound by associated data to where it belongs, so a
 * ciphertext copied into another entry or field does not open.
 */
public final class DataKey {

    public static final DataKey DESTROYED = new DataKey(null);

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Cipher.getInstance costs more than a short decryption; each thread keeps one and re-initialises it. */
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no AES-GCM", e);
        }
    });

    private final SecretKey key;

    DataKey(SecretKey key) {
        this.key = key;
    }

    public boolean destroyed() {
        return key == null;
    }

    public byte[] seal(byte[] plain, String context) {
        if (destroyed()) {
            throw new IllegalStateException("a destroyed key seals nothing");
        }
        return encrypt(key, plain, context);
    }

    public byte[] open(byte[] sealed, String context) {
        if (destroyed()) {
            throw new IllegalStateException("a destroyed key opens nothing");
        }
        return decrypt(key, sealed, context);
    }

    static byte[] encrypt(SecretKey key, byte[] plain, String context) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = CIPHER.get();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plain);
            return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    static byte[] decrypt(SecretKey key, byte[] sealed, String context) {
        try {
            Cipher c = CIPHER.get();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed value does not open with its key and context", e);
        }
    }
}
