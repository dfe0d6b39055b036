package io.samtykke.kit.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * HKDF-SHA-256 (RFC 5869): how the services derive keys of their own (identifier encryption and blind index,
 * audit data-key wrapping and pseudonyms) from one configured key, so no two uses share a key. Written here on
 * the JDK's HMAC rather than taken from Tink or Bouncy Castle, which consent-service and audit-service do not
 * otherwise need; {@code HkdfTest} holds it to the RFC's test vectors. Its output must never change: stored
 * ciphertexts, blind indexes and pseudonyms depend on it.
 */
public final class Hkdf {

    private static final String HMAC = "HmacSHA256";
    private static final int HASH_LENGTH = 32;

    private Hkdf() {
    }

    /** A 32-byte key for {@code info} from {@code ikm}, with no salt (the RFC's string of zeros). */
    public static byte[] sha256(byte[] ikm, String info) {
        return sha256(new byte[HASH_LENGTH], ikm, info.getBytes(StandardCharsets.UTF_8), HASH_LENGTH);
    }

    /** RFC 5869 extract-then-expand; an empty salt counts as the string of zeros, as the RFC says. */
    public static byte[] sha256(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length < 1 || length > 255 * HASH_LENGTH) {
            throw new IllegalArgumentException("HKDF-SHA-256 gives 1 to " + 255 * HASH_LENGTH + " bytes, not " + length);
        }
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_LENGTH] : salt, HMAC));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, HMAC));
            ByteArrayOutputStream okm = new ByteArrayOutputStream(length + HASH_LENGTH);
            byte[] block = new byte[0];
            for (int i = 1; okm.size() < length; i++) {
                mac.update(block);
                mac.update(info);
                mac.update((byte) i);
                block = mac.doFinal();
                okm.writeBytes(block);
            }
            return Arrays.copyOf(okm.toByteArray(), length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no HMAC-SHA-256", e);
        }
    }
}
