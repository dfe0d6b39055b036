package io.samtykke.preference.webhook;

import io.quarkus.logging.Log;
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

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps webhook signing secrets encrypted in PostgreSQL with the {@link SealingKeys} of
 * {@code samtykke.webhooks.secret-encryption-key} (and {@code secret-encryption-previous-keys} after a rotation), bound
 * to the subscription id (a sealed secret copied to another subscription does not open). Stored as
 * {@code sealed:v1:<base64(nonce ‖ ciphertext ‖ tag)>}. Without the key, secrets are stored as they are (with a warning
 * at start); with it, plain ones left from before, and ones sealed with a previous key, are sealed with the current key
 * at start.
 */
@ApplicationScoped
public class SecretSealer {

    static final String PREFIX = "sealed:v1:";
    private static final String SETTING = "samtykke.webhooks.secret-encryption-key";

    @Inject
    PreferenceConfig config;

    @Inject
    Pool pool;

    private Optional<SealingKeys> keys = Optional.empty();

    @PostConstruct
    void readKeys() {
        List<String> previous = config.webhooks().secretEncryptionPreviousKeys().orElse(List.of()).stream()
                .filter(k -> !k.isBlank()).toList();
        keys = config.webhooks().secretEncryptionKey().filter(s -> !s.isBlank())
                .map(primary -> SealingKeys.of(primary, previous, SETTING));
        if (keys.isEmpty() && !previous.isEmpty()) {
            throw new IllegalStateException("samtykke.webhooks.secret-encryption-previous-keys is set without " + SETTING);
        }
    }

    void onStart(@Observes StartupEvent ev) {
        if (keys.isEmpty()) {
            Log.warn(SETTING + " is not set: webhook signing secrets are stored unencrypted");
            return;
        }
        sealStored().subscribe().with(n -> {
            if (n > 0) {
                Log.infof("sealed the signing secrets of %d webhook subscriptions with the current key", n);
            }
        }, e -> Log.warnf("could not seal stored webhook secrets: %s", e.getMessage()));
    }

    /** What to store for {@code secret} of {@code subscription}. */
    public String seal(UUID subscription, String secret) {
        if (secret == null || keys.isEmpty()) {
            return secret;
        }
        try {
            return PREFIX + Base64.getEncoder().encodeToString(keys.get().seal(subscription, secret));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a webhook secret", e);
        }
    }

    /** The secret behind what is stored (sealed or, from before encryption, plain). */
    public String open(UUID subscription, String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        SealingKeys k = keys.orElseThrow(() -> new IllegalStateException(
                "the secret of webhook subscription " + subscription + " is sealed, but " + SETTING + " is not set"));
        try {
            return k.open(subscription, Base64.getDecoder().decode(stored.substring(PREFIX.length())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the secret of webhook subscription " + subscription
                    + " does not open with " + SETTING + " or a previous key (another key, or not its row)", e);
        }
    }

    /**
     * Seals every secret still stored plain and, when previous keys are configured, seals again with the current key
     * every secret sealed with a previous one; the number of subscriptions changed.
     */
    public Uni<Integer> sealStored() {
        if (keys.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        boolean rotated = keys.get().size() > 1;
        return pool.withTransaction(conn -> conn.preparedQuery(rotated ? """
                        select id, secret, previous_secret from webhook_subscription for update""" : """
                        select id, secret, previous_secret from webhook_subscription
                        where secret not like 'sealed:v1:%' or previous_secret not like 'sealed:v1:%'
                        for update""").execute()
                .flatMap(rows -> {
                    List<Row> stale = new ArrayList<>();
                    rows.forEach(r -> {
                        if (!current(r.getUUID("id"), r.getString("secret"))
                                || !current(r.getUUID("id"), r.getString("previous_secret"))) {
                            stale.add(r);
                        }
                    });
                    Uni<Integer> done = Uni.createFrom().item(0);
                    for (Row r : stale) {
                        done = done.flatMap(n -> reseal(conn, r).map(v -> n + 1));
                    }
                    return done;
                }));
    }

    /** Whether {@code stored} is absent or sealed with the current key; one that opens with no key is left alone. */
    private boolean current(UUID id, String stored) {
        if (stored == null) {
            return true;
        }
        if (!stored.startsWith(PREFIX)) {
            return false;
        }
        try {
            byte[] sealed = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            if (keys.get().sealedWithPrimary(id, sealed)) {
                return true;
            }
            keys.get().open(id, sealed);
            return false;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return true;
        }
    }

    private Uni<Void> reseal(SqlConnection conn, Row r) {
        UUID id = r.getUUID("id");
        String secret = r.getString("secret");
        String previous = r.getString("previous_secret");
        return conn.preparedQuery("update webhook_subscription set secret = $2, previous_secret = $3 where id = $1")
                .execute(Tuple.of(id, current(id, secret) ? secret : seal(id, open(id, secret)),
                        current(id, previous) ? previous : seal(id, open(id, previous))))
                .replaceWithVoid();
    }
}
