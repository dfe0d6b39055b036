package io.samtykke.consent.record;

import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.consent.record.ConsentPlanner.Catalog;
import io.samtykke.consent.record.ConsentPlanner.CurrentConsent;
import io.samtykke.consent.record.ConsentPlanner.PlannedEvent;
import io.samtykke.consent.record.ConsentPlanner.PublishedNotice;
import io.samtykke.consent.record.ConsentPlanner.PurposeFacts;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The SQL of a consent write, on the caller's transaction: the subject's row lock and sequence number, what the
 * planner reads (catalog, current consents) and what it planned (records, current rows, outbox rows, the relay's wake-up).
 */
@ApplicationScoped
public class ConsentStore {

    @Inject
    IdentifierStore identifiers;

    /**
     * Locks the subject's row (created at sequence 0 on first write) until the transaction ends; answers its sequence.
     * An erased subject is refused (409 subject-erased) once the lock is held, so an erasure committed meanwhile counts.
     */
    Uni<Long> lockSubject(SqlConnection conn, String tenant, String subjectId, Instant now) {
        // sent together: PostgreSQL starts the erasure check only once the lock is held, so it still sees an erasure
        // committed while this waited, and the write saves a round trip
        return Uni.combine().all().unis(conn.preparedQuery("""
                                insert into subject (tenant_id, subject_id, seq, created_at, updated_at) values ($1, $2, 0, $3, $3)
                                on conflict (tenant_id, subject_id) do update set updated_at = subject.updated_at
                                returning seq""")
                        .execute(Tuple.of(tenant, subjectId, utc(now)))
                        .map(rows -> rows.iterator().next().getLong("seq")),
                identifiers.requireNotErased(conn, tenant, subjectId))
                .with((seq, notErased) -> seq);
    }

    /** The purposes with these keys and all their published notice versions. */
    Uni<Catalog> catalog(SqlConnection conn, String tenant, String[] purposeKeys) {
        Uni<Map<String, PurposeFacts>> purposes = conn.preparedQuery("""
                        select key, channel, legal_basis, category, validity, double_opt_in, active
                        from purpose where tenant_id = $1 and key = any($2)""")
                .execute(Tuple.of(tenant, purposeKeys))
                .map(rows -> {
                    Map<String, PurposeFacts> m = new HashMap<>();
                    for (Row r : rows) {
                        m.put(r.getString("key"), new PurposeFacts(r.getString("key"),
                                Channel.valueOf(r.getString("channel")),
                                LegalBasis.valueOf(r.getString("legal_basis")),
                                PurposeCategory.valueOf(r.getString("category")),
                                r.getString("validity"), r.getBoolean("double_opt_in"), r.getBoolean("active")));
                    }
                    return m;
                });
        Uni<List<PublishedNotice>> notices = conn.preparedQuery("""
                        select purpose_key, version, language, content_sha256, url, material
                        from notice_version where tenant_id = $1 and purpose_key = any($2)""")
                .execute(Tuple.of(tenant, purposeKeys))
                .map(rows -> {
                    List<PublishedNotice> l = new ArrayList<>();
                    for (Row r : rows) {
                        l.add(new PublishedNotice(r.getString("purpose_key"), r.getString("version"),
                                r.getString("language"), r.getString("content_sha256"), r.getString("url"),
                                r.getBoolean("material")));
                    }
                    return l;
                });
        return Uni.combine().all().unis(purposes, notices).with(Catalog::new);
    }

    /** The subject's stored consents for these purposes (none for a purpose never changed). */
    Uni<Map<String, CurrentConsent>> currentConsents(SqlConnection conn, String tenant, String subjectId,
                                                     String[] purposeKeys) {
        return conn.preparedQuery("""
                        select purpose_key, state, expires_at, event_id from consent_current
                        where tenant_id = $1 and subject_id = $2 and purpose_key = any($3)""")
                .execute(Tuple.of(tenant, subjectId, purposeKeys))
                .map(rows -> {
                    Map<String, CurrentConsent> m = new HashMap<>();
                    for (Row r : rows) {
                        OffsetDateTime exp = r.getOffsetDateTime("expires_at");
                        m.put(r.getString("purpose_key"), new CurrentConsent(
                                ConsentState.valueOf(r.getString("state")), exp == null ? null : exp.toInstant(),
                                r.getUUID("event_id")));
                    }
                    return m;
                });
    }

    /**
     * Appends one consent record, upserts the current-state row and appends one outbox row per event, wakes the
     * relays of the slots touched (NOTIFY is delivered at commit) and moves the subject's sequence number to
     * {@code newSeq}. The statements do not depend on each other's answers, so they go out together on the
     * connection (the driver pipelines them, PostgreSQL runs them in this order): one round trip instead of five.
     */
    Uni<Void> append(SqlConnection conn, List<PlannedEvent> planned, String traceparent, long newSeq, Instant now) {
        List<Tuple> records = new ArrayList<>();
        List<Tuple> currents = new ArrayList<>();
        List<Tuple> outbox = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        for (PlannedEvent p : planned) {
            ConsentEvent e = p.event();
            ConsentEvent.Notice n = e.notice();
            ConsentEvent.Evidence ev = e.evidence();
            OffsetDateTime recordedAt = utc(e.recordedAt());
            OffsetDateTime expires = e.expiresAt() == null ? null : utc(e.expiresAt());
            records.add(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(), e.requestId(),
                    e.purpose(), e.action().name(), e.previousState().name(), e.state().name(),
                    n == null ? null : n.version(), n == null ? null : n.language(), n == null ? null : n.contentSha256(),
                    utc(e.occurredAt()), recordedAt, expires,
                    ev.source().appId(), ev.source().platform(), ev.source().appVersion(), ev.source().collectionPoint(),
                    ev.actor().type().name(), ev.actor().id(), ev.language(), ev.ipPrefix(), ev.userAgent(),
                    ev.confirmation() == null ? null : ev.confirmation().tokenId(),
                    ev.confirmation() == null ? null : ev.confirmation().pendingEventId(),
                    ev.confirmation() == null ? null : utc(ev.confirmation().requestedAt()))));
            currents.add(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.purpose(), e.state().name(),
                    n == null ? null : n.version(), n == null ? null : n.language(), e.eventId(), e.subjectSeq(),
                    recordedAt, expires)));
            int slot = OutboxSlots.slotOf(e.tenantId(), e.subjectId());
            slots.add(slot);
            outbox.add(Tuple.from(Arrays.asList((short) slot, e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(),
                    e.eventType().type(), p.payload(), traceparent, recordedAt)));
        }
        PlannedEvent first = planned.get(0);
        return Uni.combine().all().unis(
                        conn.preparedQuery("""
                                insert into consent_record (tenant_id, subject_id, subject_seq, event_id, request_id, purpose_key,
                                    action, previous_state, state, notice_version, notice_language, notice_sha256, occurred_at,
                                    recorded_at, expires_at, source_app_id, source_platform, source_app_version, collection_point,
                                    actor_type, actor_id, language, ip_prefix, user_agent, confirmation_token_id,
                                    confirmation_pending_event_id, confirmation_requested_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                                    $20, $21, $22, $23, $24, $25, $26, $27)""").executeBatch(records),
                        conn.preparedQuery("""
                                insert into consent_current (tenant_id, subject_id, purpose_key, state, notice_version,
                                    notice_language, event_id, subject_seq, updated_at, expires_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                                on conflict (tenant_id, subject_id, purpose_key) do update set
                                    state = excluded.state,
                                    notice_version = coalesce(excluded.notice_version, consent_current.notice_version),
                                    notice_language = coalesce(excluded.notice_language, consent_current.notice_language),
                                    event_id = excluded.event_id, subject_seq = excluded.subject_seq,
                                    updated_at = excluded.updated_at, expires_at = excluded.expires_at""").executeBatch(currents),
                        conn.preparedQuery("""
                                insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload,
                                    traceparent, created_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""").executeBatch(outbox),
                        conn.preparedQuery("select pg_notify($1, $2)")
                                .executeBatch(slots.stream().map(s -> Tuple.of(OutboxSlots.CHANNEL, Integer.toString(s))).toList()),
                        conn.preparedQuery("update subject set seq = $3, updated_at = $4 where tenant_id = $1 and subject_id = $2")
                                .execute(Tuple.of(first.event().tenantId(), first.event().subjectId(), newSeq, utc(now))))
                .discardItems();
    }

    private static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
