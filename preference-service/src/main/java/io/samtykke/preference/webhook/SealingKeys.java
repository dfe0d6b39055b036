package io.samtykke.preference.webhook;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.ConfigurationV0;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.util.SecretBytes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * The keyset that seals webhook signing secrets (Tink AEAD, AES-256-GCM): the primary key seals, every key of the set
 * opens, so secrets sealed before a key rotation keep opening. A sealed secret is bound to its subscription id
 * (associated data). The keys are raw 32-byte AES keys without a Tink key-id prefix, so a sealed value is
 * {@code nonce ‖ ciphertext ‖ tag}: the same bytes the hand-written AES-GCM sealer of earlier versions stored.
 */
public final class SealingKeys {

    static {
        try {
            // the AES-GCM key type, so keys can be imported into a keyset
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Aead all;
    private final Aead primary;
    private final int size;

    private SealingKeys(KeysetHandle all, KeysetHandle primary) throws GeneralSecurityException {
        this.all = all.getPrimitive(ConfigurationV0.get(), Aead.class);
        this.primary = primary.getPrimitive(ConfigurationV0.get(), Aead.class);
        this.size = all.size();
    }

    /**
     * The keyset of {@code primaryKey} (seals and opens) and {@code previousKeys} (open only), each base64 of 32
     * random bytes; {@code setting} names where they come from in error messages.
     */
    public static SealingKeys of(String primaryKey, List<String> previousKeys, String setting) {
        try {
            AesGcmKey key = aesGcm(primaryKey, setting);
            KeysetHandle primaryOnly = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary()).build();
            KeysetHandle.Builder keyset = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.importKey(key).withRandomId().makePrimary());
            for (String previous : previousKeys) {
                keyset.addEntry(KeysetHandle.importKey(aesGcm(previous, setting)).withRandomId());
            }
            return new SealingKeys(keyset.build(), primaryOnly);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the keyset of " + setting, e);
        }
    }

    private static AesGcmKey aesGcm(String base64, String setting) throws GeneralSecurityException {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " is not base64", e);
        }
        if (bytes.length != 32) {
            throw new IllegalStateException(setting + " must be 32 bytes (openssl rand -base64 32), got " + bytes.length);
        }
        AesGcmParameters parameters = AesGcmParameters.builder().setKeySizeBytes(32).setIvSizeBytes(12).setTagSizeBytes(16)
                .setVariant(AesGcmParameters.Variant.NO_PREFIX).build();
        return AesGcmKey.builder().setParameters(parameters)
                .setKeyBytes(SecretBytes.copyFrom(bytes, InsecureSecretKeyAccess.get())).build();
    }

    /** How many keys open (the primary and the previous ones). */
    public int size() {
        return size;
    }

    /** {@code secret} sealed with the primary key, bound to {@code subscription}. */
    public byte[] seal(UUID subscription, String secret) throws GeneralSecurityException {
        return primary.encrypt(secret.getBytes(StandardCharsets.UTF_8), associatedData(subscription));
    }

    /** The secret, if {@code sealed} was sealed for {@code subscription} with any key of the set. */
    public String open(UUID subscription, byte[] sealed) throws GeneralSecurityException {
        return new String(all.decrypt(sealed, associatedData(subscription)), StandardCharsets.UTF_8);
    }

    /** Whether {@code sealed} was sealed with the primary key (for {@code subscription}). */
    public boolean sealedWithPrimary(UUID subscription, byte[] sealed) {
        try {
            primary.decrypt(sealed, associatedData(subscription));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] associatedData(UUID subscription) {
        return subscription.toString().getBytes(StandardCharsets.UTF_8);
    }
}
