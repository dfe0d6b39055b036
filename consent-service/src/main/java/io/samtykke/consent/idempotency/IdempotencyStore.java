package io.samtykke.consent.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Idempotency-Key (IETF httpapi draft): the first response per tenant, client and key is stored
 * in the write's own transaction; a retry gets it back, a different body under the same key is refused.
 */
@ApplicationScoped
public class IdempotencyStore {

    private static final int MAX_KEY_LENGTH = 255;

    @Inject
    Pool pool;

    @Inject
    ObjectMapper json;

    public record StoredResponse(String requestHash, int status, String response, String etag) {
    }

    /** Accepts the draft's quoted form and the unquoted form many clients send. */
    public static String normalizeKey(String header) {
        String key = header.trim();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/headers/Idempotency-Key",
                    "must be 1-" + MAX_KEY_LENGTH + " visible ASCII characters");
        }
        return key;
    }

    /** A fingerprint of the request, independent of JSON whitespace and field order. */
    public String hash(String operation, Object body) {
        try {
            byte[] canonical = json.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsBytes(body);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(operation.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(canonical);
            return HexFormat.of().formatHex(sha.digest());
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Uni<StoredResponse> find(String tenant, String client, String key) {
        return find(pool, tenant, client, key);
    }

    /** The same, on {@code sql}: a transaction's connection sees what committed before its statement started. */
    public Uni<StoredResponse> find(SqlClient sql, String tenant, String client, String key) {
        return sql.preparedQuery("""
                        select request_hash, status, response, etag from idempotency_key
                        where tenant_id = $1 and client_id = $2 and key = $3""")
                .execute(Tuple.of(tenant, client, key))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new StoredResponse(r.getString("request_hash"), r.getInteger("status"),
                            r.getString("response"), r.getString("etag"));
                });
    }

    public Uni<Void> store(SqlConnection conn, String tenant, String client, String key, String requestHash, int status,
                           Object response, String etag, Instant now) {
        String body;
        try {
            body = json.writeValueAsString(response);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return conn.preparedQuery("""
                        insert into idempotency_key (tenant_id, client_id, key, request_hash, status, response, etag, created_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8)""")
                .execute(Tuple.tuple(java.util.List.of(tenant, client, key, requestHash, status, body, etag,
                        OffsetDateTime.ofInstant(now, ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    /** True for the unique violation a concurrent request with the same key causes. */
    public static boolean isDuplicateKey(Throwable t) {
        return t instanceof PgException pg && "23505".equals(pg.getSqlState())
                && pg.getConstraint() != null && pg.getConstraint().startsWith("idempotency_key");
    }
}
