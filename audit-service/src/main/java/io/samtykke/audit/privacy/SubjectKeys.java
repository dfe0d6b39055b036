package io.samtykke.audit.privacy;

import io.samtykke.audit.config.AuditConfig;
import io.samtykke.kit.crypto.Hkdf;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Crypto-shredding: each subject's personal values in the log are sealed with a data key of its own,
 * stored only wrapped by the key-encryption key from config. {@link #destroy} drops the wrapped key, so
 * those values can never be opened again while every entry, and so every hash, stays as it was.
 * Subjects are found through a keyed pseudonym (HMAC-SHA-256), never by their id in clear.
 */
@ApplicationScoped
public class SubjectKeys {

    @Inject
    AuditConfig config;

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no HMAC-SHA-256", e);
        }
    });

    private final Map<String, SecretKeySpec> pseudonymKeys = new ConcurrentHashMap<>();
    private SecretKey wrapping;
    private byte[] pseudonymRoot;

    @PostConstruct
    void init() {
        byte[] kek;
        try {
            kek = Base64.getDecoder().decode(config.keyEncryptionKey().strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("samtykke.audit.key-encryption-key is not base64", e);
        }
        if (kek.length < 32) {
            throw new IllegalStateException("samtykke.audit.key-encryption-key must be at least 32 bytes");
        }
        wrapping = new SecretKeySpec(Hkdf.sha256(kek, "samtykke audit data key wrapping"), "AES");
        pseudonymRoot = Hkdf.sha256(kek, "samtykke audit subject pseudonyms");
    }

    /** The subject's pseudonym in a tenant's log: the same for the same id, useless without the key. */
    public String pseudonym(String tenant, String subjectId) {
        try {
            Mac mac = HMAC.get();
            mac.init(pseudonymKeys.computeIfAbsent(tenant, t -> new SecretKeySpec(Hkdf.sha256(pseudonymRoot, "tenant " + t), "HmacSHA256")));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(subjectId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The data keys of these subjects, creating one for each that has none; destroyed ones stay destroyed. */
    public Uni<Map<String, DataKey>> forWriting(SqlClient client, String tenant, Collection<String> refs) {
        return forReading(client, tenant, refs).flatMap(keys -> {
            List<String> missing = refs.stream().filter(ref -> keys.get(ref).destroyed()).toList();
            if (missing.isEmpty()) {
                return Uni.createFrom().item(keys);
            }
            String[] names = missing.toArray(String[]::new);
            Buffer[] wrapped = new Buffer[names.length];
            for (int i = 0; i < names.length; i++) {
                wrapped[i] = Buffer.buffer(DataKey.encrypt(wrapping, newKey(), context(tenant, names[i])));
            }
            // a subject without a row gets a key; one whose key was destroyed keeps its row, so stays without
            return client.preparedQuery("""
                            insert into subject_key (tenant_id, subject_ref, wrapped_key, created_at)
                            select $1, ref, wrapped, $4 from unnest($2::text[], $3::bytea[]) as k(ref, wrapped)
                            on conflict (tenant_id, subject_ref) do nothing""")
                    .execute(Tuple.of(tenant, names, wrapped, OffsetDateTime.now(clock)))
                    .flatMap(inserted -> forReading(client, tenant, refs));
        });
    }

    /** The data keys of these subjects; a subject whose key is destroyed (or who has none) gets {@link DataKey#DESTROYED}. */
    public Uni<Map<String, DataKey>> forReading(SqlClient client, String tenant, Collection<String> refs) {
        if (refs.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return client.preparedQuery("select subject_ref, wrapped_key from subject_key where tenant_id = $1 and subject_ref = any($2)")
                .execute(Tuple.of(tenant, refs.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, DataKey> keys = new HashMap<>();
                    refs.forEach(ref -> keys.put(ref, DataKey.DESTROYED));
                    for (Row r : rows) {
                        var wrapped = r.getBuffer("wrapped_key");
                        if (wrapped != null) {
                            String ref = r.getString("subject_ref");
                            byte[] key = DataKey.decrypt(wrapping, wrapped.getBytes(), context(tenant, ref));
                            keys.put(ref, new DataKey(new SecretKeySpec(key, "AES")));
                        }
                    }
                    return keys;
                });
    }

    public Uni<Map<String, DataKey>> forReading(String tenant, Collection<String> refs) {
        return forReading(pool, tenant, refs);
    }

    /**
     * Destroys the subject's data key, for good: the subject's sealed values read as erased from now on, and
     * events about the subject that arrive later are logged without their personal values.
     */
    public Uni<Void> destroy(String tenant, String subjectId) {
        return destroy(pool, tenant, pseudonym(tenant, subjectId));
    }

    /** {@link #destroy(String, String)} by the subject's pseudonym, on the caller's transaction. */
    public Uni<Void> destroy(SqlClient client, String tenant, String subjectRef) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        return client.preparedQuery("""
                        insert into subject_key (tenant_id, subject_ref, wrapped_key, created_at, destroyed_at)
                        values ($1, $2, null, $3, $3)
                        on conflict (tenant_id, subject_ref)
                        do update set wrapped_key = null, destroyed_at = coalesce(subject_key.destroyed_at, excluded.destroyed_at)""")
                .execute(Tuple.of(tenant, subjectRef, now))
                .replaceWithVoid();
    }

    private static String context(String tenant, String ref) {
        return String.join("\n", List.of("samtykke audit data key", tenant, ref));
    }

    private static byte[] newKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }
}
