package io.samtykke.consent.confirmation;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.kit.crypto.Hkdf;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The double opt-in confirmation tokens. A token is HMAC-SHA-256 of a random token id under a key derived from
 * {@code samtykke.identifiers.master-key}: 256 bits nobody can guess without that key, so it is never stored: the
 * database holds only its SHA-256 (what a click is looked up by), and the outbox holds the confirmation request
 * without it; the relay derives it when it publishes on {@link io.samtykke.contract.Topics#CONSENT_CONFIRMATIONS}.
 */
@ApplicationScoped
public class ConfirmationTokens {

    /** base64url without padding of 32 bytes. */
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

    @Inject
    ConsentConfig config;

    private SecretKeySpec key;

    @PostConstruct
    void init() {
        key = new SecretKeySpec(Hkdf.sha256(Base64.getDecoder().decode(config.identifiers().masterKey()),
                "samtykke double opt-in confirmation tokens"), "HmacSHA256");
    }

    /** A token as the confirm endpoint finds it, locked until the transaction ends. */
    public record StoredToken(UUID tokenId, String tenant, String subjectId, String purpose, UUID pendingEventId,
                              String noticeVersion, String language, Instant requestedAt, Instant expiresAt, Instant usedAt) {
    }

    /** Whether {@code token} has the shape of a token at all (anything else is looked up by nobody). */
    public static boolean wellFormed(String token) {
        return token != null && SHAPE.matcher(token).matches();
    }

    public static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The token of {@code tokenId}. */
    String token(UUID tokenId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] id = ByteBuffer.allocate(16).putLong(tokenId.getMostSignificantBits())
                    .putLong(tokenId.getLeastSignificantBits()).array();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(id));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A confirmation request as the outbox holds it (no token, no link), ready to publish: with both. */
    public ConfirmationRequest complete(ConfirmationRequest stored) {
        String token = token(stored.tokenId());
        return new ConfirmationRequest(stored.eventId(), stored.tenantId(), stored.subjectId(), stored.subjectSeq(),
                stored.purpose(), stored.channel(), stored.pendingEventId(), stored.tokenId(), token,
                config.doubleOptIn().confirmationUrl() + token, stored.language(), stored.requestedAt(), stored.expiresAt());
    }

    /**
     * For every PENDING_CONFIRMATION record among {@code events}: a token row (its hash) and the confirmation request in
     * the outbox, right behind the pending record, in the write's transaction.
     */
    public Uni<Void> issue(SqlConnection conn, List<ConsentEvent> events, String traceparent) {
        List<Tuple> tokens = new ArrayList<>();
        List<Tuple> outbox = new ArrayList<>();
        for (ConsentEvent e : events) {
            if (e.state() != ConsentState.PENDING_CONFIRMATION) {
                continue;
            }
            UUID tokenId = UUID.randomUUID();
            String language = e.notice() != null ? e.notice().language() : e.evidence().language();
            ConfirmationRequest request = new ConfirmationRequest(UUID.randomUUID(), e.tenantId(), e.subjectId(),
                    e.subjectSeq(), e.purpose(), e.channel(), e.eventId(), tokenId, null, null, language, e.recordedAt(),
                    e.expiresAt());
            tokens.add(Tuple.from(Arrays.asList(sha256(token(tokenId)), tokenId, e.tenantId(), e.subjectId(), e.purpose(),
                    e.eventId(), e.notice() == null ? null : e.notice().version(), language, utc(e.recordedAt()),
                    utc(e.expiresAt()))));
            outbox.add(Tuple.from(Arrays.asList((short) OutboxSlots.slotOf(e.tenantId(), e.subjectId()), e.tenantId(),
                    e.subjectId(), e.subjectSeq(), request.eventId(), ConfirmationRequest.TYPE, EventJson.write(request),
                    traceparent, utc(e.recordedAt()))));
        }
        if (tokens.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                        insert into confirmation_token (token_sha256, token_id, tenant_id, subject_id, purpose_key,
                            pending_event_id, notice_version, language, requested_at, expires_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""")
                .executeBatch(tokens)
                .flatMap(v -> conn.preparedQuery("""
                                insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload,
                                    traceparent, created_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                        .executeBatch(outbox))
                .replaceWithVoid();
    }

    /** The token with this hash, its row locked against a concurrent click; null when there is none. */
    public Uni<StoredToken> lock(SqlConnection conn, String tokenSha256) {
        return conn.preparedQuery("select * from confirmation_token where token_sha256 = $1 for update")
                .execute(Tuple.of(tokenSha256))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    /** The token with this hash, unlocked (for the page that only shows it); null when there is none. */
    public Uni<StoredToken> find(SqlConnection conn, String tokenSha256) {
        return conn.preparedQuery("select * from confirmation_token where token_sha256 = $1")
                .execute(Tuple.of(tokenSha256))
                .map(rows -> rows.size() == 0 ? null : stored(rows.iterator().next()));
    }

    public Uni<Void> markUsed(SqlConnection conn, String tokenSha256, Instant now) {
        return conn.preparedQuery("update confirmation_token set used_at = $2 where token_sha256 = $1")
                .execute(Tuple.of(tokenSha256, utc(now)))
                .replaceWithVoid();
    }

    private static StoredToken stored(Row r) {
        return new StoredToken(r.getUUID("token_id"), r.getString("tenant_id"), r.getString("subject_id"),
                r.getString("purpose_key"), r.getUUID("pending_event_id"), r.getString("notice_version"),
                r.getString("language"), instant(r.getOffsetDateTime("requested_at")),
                instant(r.getOffsetDateTime("expires_at")), instant(r.getOffsetDateTime("used_at")));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
