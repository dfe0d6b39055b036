package io.samtykke.preference.projection;

import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.preference.webhook.WebhookQueue;
import io.samtykke.preference.webhook.WebhookService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The projection's writes, each idempotent: an event is applied only when its subjectseq is above the
 * subject's applied one (so a redelivered or older event changes nothing), and a row of one purpose is only
 * ever replaced by a newer subjectseq (so the events and the state topic can be read in any interleaving).
 */
final class ProjectionStore {

    /** What applying one consent event did. */
    record Applied(boolean applied, long previousSeq, int deliveries) {

        /** The event skipped at least one subjectseq: an event not seen (yet), e.g. one deleted by retention. */
        boolean gap(long seq) {
            return applied && previousSeq > 0 && seq > previousSeq + 1;
        }
    }

    private ProjectionStore() {
    }

    static Uni<Applied> applyEvent(SqlClient conn, ConsentEvent e, String ceType, String payload) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return conn.preparedQuery("""
                        with prev as (
                            select applied_seq from projection_subject where tenant_id = $1 and subject_id = $2
                        ), subj as (
                            insert into projection_subject as s (tenant_id, subject_id, applied_seq, last_event_id, erased_at, updated_at)
                            values ($1, $2, $3, $4, null, $10)
                            on conflict (tenant_id, subject_id) do update set applied_seq = excluded.applied_seq,
                                last_event_id = excluded.last_event_id, erased_at = null, updated_at = excluded.updated_at
                            where s.applied_seq < excluded.applied_seq
                            returning 1
                        ), consent as (
                            insert into consent_projection as c (tenant_id, subject_id, purpose, state, subject_seq, event_id,
                                notice_version, expires_at, changed_at)
                            select $1, $2, $5, $6, $3, $4, $7, $8, $9 where exists (select 1 from subj)
                            on conflict (tenant_id, subject_id, purpose) do update set state = excluded.state,
                                subject_seq = excluded.subject_seq, event_id = excluded.event_id,
                                notice_version = excluded.notice_version, expires_at = excluded.expires_at,
                                changed_at = excluded.changed_at
                            where c.subject_seq < excluded.subject_seq
                            returning 1
                        ), learned as (
                            insert into purpose as p (tenant_id, key, channel, category, legal_basis, updated_at)
                            values ($1, $5, $11, $12, $13, $9)
                            on conflict (tenant_id, key) do update set channel = excluded.channel,
                                category = excluded.category, legal_basis = excluded.legal_basis, updated_at = excluded.updated_at
                            where p.updated_at < excluded.updated_at
                            returning 1
                        )
                        select (select count(*) from subj) as applied, coalesce((select applied_seq from prev), 0) as previous,
                               (select count(*) from consent) + (select count(*) from learned) as written""")
                .execute(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(), e.purpose(),
                        e.state().name(), e.notice() == null ? null : e.notice().version(), time(e.expiresAt()),
                        time(e.recordedAt()), now, e.channel().name(), e.category().name(), e.legalBasis().name())))
                .flatMap(rows -> {
                    Row r = rows.iterator().next();
                    boolean applied = r.getLong("applied") > 0;
                    long previous = r.getLong("previous");
                    if (!applied) {
                        return Uni.createFrom().item(new Applied(false, previous, 0));
                    }
                    return WebhookQueue.enqueue(conn, e.tenantId(), e.subjectId(), e.eventId(), ceType, payload, e.recordedAt())
                            .map(n -> new Applied(true, previous, n));
                });
    }

    /**
     * A subject event: the objection to all direct marketing and the restriction, set or cleared, when its subjectseq is
     * above the person's applied subject-event sequence; true when it was applied (false: a duplicate or older event).
     * An applied status change is enqueued, in this transaction, for the webhook subscriptions that want its type, as a
     * consent event is: a tool that does not speak Kafka must learn of an objection too. Request steps only move the
     * sequence on: decisions do not depend on them.
     */
    static Uni<Boolean> applySubjectEvent(SqlClient conn, SubjectEvent e, String ceType, String payload) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        SubjectEventType change = e.change();
        OffsetDateTime at = time(e.occurredAt());
        return conn.preparedQuery("""
                        insert into projection_subject_status as s (tenant_id, subject_id, applied_seq, last_event_id,
                            objected_at, restricted_at, updated_at)
                        values ($1, $2, $3, $4, case when $5::text = 'OBJECTED' then $6::timestamptz end,
                            case when $5::text = 'RESTRICTED' then $6::timestamptz end, $7)
                        on conflict (tenant_id, subject_id) do update set applied_seq = excluded.applied_seq,
                            last_event_id = excluded.last_event_id,
                            objected_at = case $5::text when 'OBJECTED' then $6::timestamptz when 'OBJECTION_WITHDRAWN' then null else s.objected_at end,
                            restricted_at = case $5::text when 'RESTRICTED' then $6::timestamptz when 'RESTRICTION_LIFTED' then null else s.restricted_at end,
                            updated_at = excluded.updated_at
                        where s.applied_seq < excluded.applied_seq
                        returning 1""")
                .execute(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(), change.name(), at, now)))
                .map(rows -> rows.size() > 0)
                .call(applied -> applied && WebhookService.SUBJECT_STATUS_CHANGES.contains(change)
                        ? WebhookQueue.enqueue(conn, e.tenantId(), e.subjectId(), e.eventId(), ceType, payload, e.recordedAt())
                        : Uni.createFrom().voidItem());
    }

    /**
     * An applied erasure (GDPR Art. 17): the person's preferences, projected consents, reported sends, webhook deliveries
     * (their payloads hold the person's evidence; attempts go with them) and published preference events are deleted;
     * the person is marked erased, so every decision denies with reason ERASED; and the erasure is queued for EVERY
     * webhook subscriber of the tenant (Art. 19), so it is signed, delivered and in the ledger like any event.
     */
    static Uni<Void> erase(SqlClient conn, SubjectEvent e, String ceType, String payload) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Tuple who = Tuple.of(e.tenantId(), e.subjectId());
        return conn.preparedQuery("delete from preference where tenant_id = $1 and subject_id = $2").execute(who)
                .flatMap(v -> conn.preparedQuery("delete from consent_projection where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("delete from send where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("delete from webhook_delivery where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("""
                        delete from outbox where tenant_id = $1 and subject_id = $2 and published_at is not null""").execute(who))
                .flatMap(v -> conn.preparedQuery("""
                                insert into projection_subject as s (tenant_id, subject_id, applied_seq, erased_at, updated_at)
                                values ($1, $2, 0, $3, $3)
                                on conflict (tenant_id, subject_id) do update set erased_at = excluded.erased_at,
                                    updated_at = excluded.updated_at""")
                        .execute(Tuple.of(e.tenantId(), e.subjectId(), now)))
                .flatMap(v -> WebhookQueue.enqueueToAll(conn, e.tenantId(), e.subjectId(), e.eventId(), ceType, payload,
                        e.recordedAt()))
                .replaceWithVoid();
    }

    /** A snapshot from the compacted state topic: replaces the purpose's row when newer, raises the applied seq. */
    static Uni<Void> applySnapshot(SqlClient conn, ConsentStateSnapshot s) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return conn.preparedQuery("""
                        with subj as (
                            insert into projection_subject as s (tenant_id, subject_id, applied_seq, last_event_id, updated_at)
                            values ($1, $2, $3, $4, $9)
                            on conflict (tenant_id, subject_id) do update set
                                last_event_id = case when excluded.applied_seq > s.applied_seq then excluded.last_event_id else s.last_event_id end,
                                applied_seq = greatest(s.applied_seq, excluded.applied_seq), updated_at = excluded.updated_at
                            returning 1
                        )
                        insert into consent_projection as c (tenant_id, subject_id, purpose, state, subject_seq, event_id,
                            notice_version, expires_at, changed_at)
                        values ($1, $2, $5, $6, $3, $4, $7, $8, $10)
                        on conflict (tenant_id, subject_id, purpose) do update set state = excluded.state,
                            subject_seq = excluded.subject_seq, event_id = excluded.event_id,
                            notice_version = excluded.notice_version, expires_at = excluded.expires_at, changed_at = excluded.changed_at
                        where c.subject_seq < excluded.subject_seq""")
                .execute(Tuple.from(Arrays.asList(s.tenantId(), s.subjectId(), s.subjectSeq(), s.eventId(), s.purpose(),
                        s.state().name(), s.noticeVersion(), time(s.expiresAt()), now, time(s.updatedAt()))))
                .replaceWithVoid();
    }

    /** A tombstone on the state topic: the person's state for the purpose was erased. */
    static Uni<Void> applyTombstone(SqlClient conn, String tenant, String subjectId, String purpose) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return conn.preparedQuery("delete from consent_projection where tenant_id = $1 and subject_id = $2 and purpose = $3")
                .execute(Tuple.of(tenant, subjectId, purpose))
                .flatMap(v -> conn.preparedQuery("""
                                insert into projection_subject as s (tenant_id, subject_id, applied_seq, erased_at, updated_at)
                                values ($1, $2, 0, $3, $3)
                                on conflict (tenant_id, subject_id) do update set erased_at = excluded.erased_at,
                                    updated_at = excluded.updated_at""")
                        .execute(Tuple.of(tenant, subjectId, now)))
                .replaceWithVoid();
    }

    /** Stores where each partition's next record is, in the transaction of what the records produced. */
    static Uni<Void> storeOffsets(SqlClient conn, String topic, Map<Integer, Long> nextOffsets) {
        if (nextOffsets.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = nextOffsets.entrySet().stream().map(e -> Tuple.of(topic, e.getKey(), e.getValue())).toList();
        return conn.preparedQuery("""
                        insert into projection_offset (topic, partition, next_offset) values ($1, $2, $3)
                        on conflict (topic, partition) do update set next_offset = excluded.next_offset""")
                .executeBatch(rows).replaceWithVoid();
    }

    /** Where each partition's next record is, as stored with the projection. */
    static Uni<Map<Integer, Long>> storedOffsets(SqlClient client, String topic) {
        return client.preparedQuery("select partition, next_offset from projection_offset where topic = $1")
                .execute(Tuple.of(topic))
                .map(rows -> {
                    Map<Integer, Long> stored = new HashMap<>();
                    rows.forEach(r -> stored.put(r.getInteger("partition"), r.getLong("next_offset")));
                    return stored;
                });
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
