package io.samtykke.preference.webhook;

import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SealingKeysTest {

    private static final String KEY_1 = randomKey();
    private static final String KEY_2 = randomKey();
    private static final UUID SUBSCRIPTION = UUID.randomUUID();

    @Test
    void aSecretSealedUnderTheOldKeyOpensAfterRotationAndNewSealsUseTheNewKey() throws GeneralSecurityException {
        byte[] sealedBefore = SealingKeys.of(KEY_1, List.of(), "test").seal(SUBSCRIPTION, "whsec_before");

        SealingKeys rotated = SealingKeys.of(KEY_2, List.of(KEY_1), "test");
        assertEquals(2, rotated.size());
        assertEquals("whsec_before", rotated.open(SUBSCRIPTION, sealedBefore), "key 1 still opens what it sealed");
        assertFalse(rotated.sealedWithPrimary(SUBSCRIPTION, sealedBefore), "so it is sealed again at start");

        byte[] sealedAfter = rotated.seal(SUBSCRIPTION, "whsec_after");
        assertTrue(rotated.sealedWithPrimary(SUBSCRIPTION, sealedAfter));
        assertEquals("whsec_after", SealingKeys.of(KEY_2, List.of(), "test").open(SUBSCRIPTION, sealedAfter),
                "sealed with key 2: opens once key 1 is gone");
        assertThrows(GeneralSecurityException.class, () -> SealingKeys.of(KEY_1, List.of(), "test").open(SUBSCRIPTION, sealedAfter),
                "and not with key 1");
    }

    @Test
    void aSecretSealedByTheEarlierHandWrittenSealerOpens() throws GeneralSecurityException {
        // the format stored before Tink: AES-256-GCM, 12-byte nonce ‖ ciphertext ‖ 128-bit tag, the subscription id as AAD
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Base64.getDecoder().decode(KEY_1), "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(SUBSCRIPTION.toString().getBytes(StandardCharsets.UTF_8));
        byte[] body = cipher.doFinal("whsec_legacy".getBytes(StandardCharsets.UTF_8));
        byte[] legacy = ByteBuffer.allocate(nonce.length + body.length).put(nonce).put(body).array();

        assertEquals("whsec_legacy", SealingKeys.of(KEY_1, List.of(), "test").open(SUBSCRIPTION, legacy));
        assertEquals("whsec_legacy", SealingKeys.of(KEY_2, List.of(KEY_1), "test").open(SUBSCRIPTION, legacy));
    }

    @Test
    void aSealedSecretOpensOnlyForItsOwnSubscription() throws GeneralSecurityException {
        SealingKeys keys = SealingKeys.of(KEY_1, List.of(), "test");
        byte[] sealed = keys.seal(SUBSCRIPTION, "whsec_mine");
        assertThrows(GeneralSecurityException.class, () -> keys.open(UUID.randomUUID(), sealed));
    }

    @Test
    void aKeyOfTheWrongSizeIsRefusedWithTheSettingNamed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SealingKeys.of(Base64.getEncoder().encodeToString(new byte[16]), List.of(), "samtykke.webhooks.secret-encryption-key"));
        assertEquals("samtykke.webhooks.secret-encryption-key must be 32 bytes (openssl rand -base64 32), got 16", e.getMessage());
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
