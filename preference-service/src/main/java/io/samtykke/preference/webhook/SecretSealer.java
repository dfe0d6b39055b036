package io.samtykke.preference.webhook;

import io.quarkus.runtime.StartupEvent;
import io.samtykke.preference.config.PreferenceConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps webhook signing secrets encrypted in PostgreSQL: AES-256-GCM under
 * {@code samtykke.webhooks.secret-encryption-key}, bound to the subscription id (a sealed secret copied to another
 * subscription does not open). Stored as {@code sealed:v1:<base64(nonce ‖ ciphertext ‖ tag)>}. Without the key,
 * secrets are stored as they are (with a warning at start); with it, plain ones left from before are sealed at start.
 */
@ApplicationScoped
public class SecretSealer {

    private static final Logger LOG = Logger.getLogger(SecretSealer.class);
    static final String PREFIX = "sealed:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    PreferenceConfig config;

    @Inject
    Pool pool;

    private Optional<SecretKey> key = Optional.empty();

    @PostConstruct
    void readKey() {
        key = config.webhooks().secretEncryptionKey().filter(s -> !s.isBlank()).map(SecretSealer::parseKey);
    }

    void onStart(@Observes StartupEvent ev) {
        if (key.isEmpty()) {
            LOG.warn("samtykke.webhooks.secret-encryption-key is not set: webhook signing secrets are stored unencrypted");
            return;
        }
        sealStored().subscribe().with(n -> {
            if (n > 0) {
                LOG.infof("sealed the signing secrets of %d webhook subscriptions stored before encryption was on", n);
            }
        }, e -> LOG.warnf("could not seal stored webhook secrets: %s", e.getMessage()));
    }

    static SecretKey parseKey(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("samtykke.webhooks.secret-encryption-key is not base64", e);
        }
        if (bytes.length != 32) {
            throw new IllegalStateException("samtykke.webhooks.secret-encryption-key must be 32 bytes (openssl rand -base64 32), got "
                    + bytes.length);
        }
        return new SecretKeySpec(bytes, "AES");
    }

    /** What to store for {@code secret} of {@code subscription}. */
    public String seal(UUID subscription, String secret) {
        if (secret == null || key.isEmpty()) {
            return secret;
        }
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(subscription.toString().getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a webhook secret", e);
        }
    }

    /** The secret behind what is stored (sealed or, from before encryption, plain). */
    public String open(UUID subscription, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        SecretKey k = key.orElseThrow(() -> new IllegalStateException(
                "the secret of webhook subscription " + subscription + " is sealed, but samtykke.webhooks.secret-encryption-key is not set"));
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, k, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            cipher.updateAAD(subscription.toString().getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the secret of webhook subscription " + subscription
                    + " does not open with samtykke.webhooks.secret-encryption-key (another key, or not its row)", e);
        }
    }

    /** Seals every secret still stored plain; the number of subscriptions changed. */
    public Uni<Integer> sealStored() {
        if (key.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        select id, secret, previous_secret from webhook_subscription
                        where secret not like 'sealed:v1:%' or previous_secret not like 'sealed:v1:%'
                        for update""").execute()
                .flatMap(rows -> {
                    Uni<Integer> done = Uni.createFrom().item(0);
                    for (Row r : rows) {
                        done = done.flatMap(n -> reseal(conn, r).map(v -> n + 1));
                    }
                    return done;
                }));
    }

    private Uni<Void> reseal(SqlConnection conn, Row r) {
        UUID id = r.getUUID("id");
        String secret = r.getString("secret");
        String previous = r.getString("previous_secret");
        return conn.preparedQuery("update webhook_subscription set secret = $2, previous_secret = $3 where id = $1")
                .execute(Tuple.of(id, secret.startsWith(PREFIX) ? secret : seal(id, secret),
                        previous == null || previous.startsWith(PREFIX) ? previous : seal(id, previous)))
                .replaceWithVoid();
    }
}
