package io.samtykke.consent.subject;

import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of objections, restrictions and data subject requests, on the caller's transaction: the subject's row lock
 * (shared with consent writes, so one person's events of both kinds are numbered and published in order), the
 * person-wide flags, the request rows, and the subject events' outbox rows.
 */
@ApplicationScoped
public class SubjectStore {

    @Inject
    IdentifierStore identifiers;

    /** What the subject row says about the person, read under its lock. */
    record SubjectRow(long eventSeq, Instant objectedAt, Instant restrictedAt, String restrictionReason) {
    }

    /** One data subject request as stored. */
    record RequestRow(UUID id, String subjectId, SubjectRequestType type, SubjectRequestStatus status, String details,
                      Instant receivedAt, Instant dueAt, Integer extendedMonths, String extensionReason,
                      String closingReason, Instant closedAt, Instant updatedAt) {
    }

    /** Filters of the DPO's list; null means any. */
    record RequestFilter(SubjectRequestStatus status, SubjectRequestType type, Instant dueBefore, String subjectId,
                         boolean openOnly) {
    }

    /** Locks the subject's row (created on first use) until the transaction ends; an erased subject is refused (409). */
    Uni<SubjectRow> lock(SqlConnection conn, String tenant, String subjectId, Instant now) {
        return conn.preparedQuery("""
                        insert into subject (tenant_id, subject_id, seq, created_at, updated_at) values ($1, $2, 0, $3, $3)
                        on conflict (tenant_id, subject_id) do update set updated_at = subject.updated_at
                        returning event_seq, objected_at, restricted_at, restriction_reason""")
                .execute(Tuple.of(tenant, subjectId, utc(now)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new SubjectRow(r.getLong("event_seq"), instant(r, "objected_at"), instant(r, "restricted_at"),
                            r.getString("restriction_reason"));
                })
                .call(row -> identifiers.requireNotErased(conn, tenant, subjectId));
    }

    /** The person-wide flags without a lock, for reads. */
    Uni<SubjectRow> read(SqlClient client, String tenant, String subjectId) {
        return client.preparedQuery("""
                        select event_seq, objected_at, restricted_at, restriction_reason from subject
                        where tenant_id = $1 and subject_id = $2""")
                .execute(Tuple.of(tenant, subjectId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return new SubjectRow(0, null, null, null);
                    }
                    Row r = rows.iterator().next();
                    return new SubjectRow(r.getLong("event_seq"), instant(r, "objected_at"), instant(r, "restricted_at"),
                            r.getString("restriction_reason"));
                });
    }

    Uni<Void> setObjection(SqlConnection conn, String tenant, String subjectId, Instant objectedAt, Instant now) {
        return conn.preparedQuery("update subject set objected_at = $3, updated_at = $4 where tenant_id = $1 and subject_id = $2")
                .execute(Tuple.of(tenant, subjectId, objectedAt == null ? null : utc(objectedAt), utc(now)))
                .replaceWithVoid();
    }

    Uni<Void> setRestriction(SqlConnection conn, String tenant, String subjectId, Instant restrictedAt, String reason,
                             Instant now) {
        return conn.preparedQuery("""
                        update subject set restricted_at = $3, restriction_reason = $4, updated_at = $5
                        where tenant_id = $1 and subject_id = $2""")
                .execute(Tuple.from(Arrays.asList(tenant, subjectId, restrictedAt == null ? null : utc(restrictedAt),
                        reason, utc(now))))
                .replaceWithVoid();
    }

    /**
     * Appends the events' outbox rows (the relay publishes them like consent events, in id order per slot), moves the
     * person's subject-event sequence to the last one and wakes the relay of the slot (NOTIFY is delivered at commit).
     */
    Uni<Void> append(SqlConnection conn, SubjectEvents events, String traceparent, Instant now) {
        if (events.planned().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int slot = OutboxSlots.slotOf(events.tenant(), events.subjectId());
        List<Tuple> rows = new ArrayList<>();
        for (SubjectEvents.Planned p : events.planned()) {
            rows.add(Tuple.from(Arrays.asList((short) slot, events.tenant(), events.subjectId(), p.event().subjectSeq(),
                    p.event().eventId(), p.event().change().type(), p.payload(), traceparent, utc(now))));
        }
        return conn.preparedQuery("""
                        insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload,
                            traceparent, created_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                .executeBatch(rows)
                .flatMap(v -> conn.preparedQuery("update subject set event_seq = $3 where tenant_id = $1 and subject_id = $2")
                        .execute(Tuple.of(events.tenant(), events.subjectId(), events.lastSeq())))
                .flatMap(v -> conn.preparedQuery("select pg_notify($1, $2)")
                        .execute(Tuple.of(OutboxSlots.CHANNEL, Integer.toString(slot))))
                .replaceWithVoid();
    }

    /**
     * Erases the person (GDPR Art. 17), after their last events were appended: identifiers (leaving only keyed tags),
     * consent records and current state, their double opt-in links (a link clicked later is unknown), their published outbox rows and stored idempotent answers, the subject row;
     * their data subject requests stay as proof of what was done, under a pseudonymous stand-in that is no valid
     * subject id, without their free-text details. Unpublished outbox rows (the erasure's own events) are published
     * as usual and deleted by the outbox retention.
     */
    Uni<Void> erase(SqlConnection conn, String tenant, String subjectId, Instant now) {
        Tuple who = Tuple.of(tenant, subjectId);
        String standIn = erasedStandIn(identifiers.subjectTag(tenant, subjectId));
        return identifiers.eraseOf(conn, tenant, subjectId, now)
                .flatMap(v -> conn.preparedQuery("delete from consent_current where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("delete from consent_record where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("delete from confirmation_token where tenant_id = $1 and subject_id = $2").execute(who))
                .flatMap(v -> conn.preparedQuery("""
                        delete from outbox where tenant_id = $1 and subject_id = $2 and published_at is not null""").execute(who))
                .flatMap(v -> conn.preparedQuery("delete from idempotency_key where tenant_id = $1 and position($2 in response) > 0")
                        .execute(Tuple.of(tenant, "\"subjectId\":" + EventJson.write(subjectId))))
                .flatMap(v -> conn.preparedQuery("""
                                update subject_request set subject_id = $3, details = null where tenant_id = $1 and subject_id = $2""")
                        .execute(Tuple.of(tenant, subjectId, standIn)))
                .flatMap(v -> conn.preparedQuery("delete from subject where tenant_id = $1 and subject_id = $2").execute(who))
                .replaceWithVoid();
    }

    /** What an erased person's requests name instead of them: starts with '~', so it is no valid subject id. */
    static String erasedStandIn(byte[] subjectTag) {
        return ERASED_PREFIX + HexFormat.of().formatHex(subjectTag, 0, 16);
    }

    static final String ERASED_PREFIX = "~erased:";

    /** The subjects of a tenant whose last consent activity is older than {@code before}, the longest inactive first. */
    Uni<List<String>> inactive(SqlClient client, String tenant, Instant before, int limit) {
        return client.preparedQuery("""
                        select subject_id from subject where tenant_id = $1 and updated_at < $2 order by updated_at limit $3""")
                .execute(Tuple.of(tenant, utc(before), limit))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString("subject_id")));
                    return out;
                });
    }

    /**
     * Locks an existing subject row that is still inactive since {@code before} (another instance may have erased the
     * person, or the person acted, meanwhile); null when it is not.
     */
    Uni<SubjectRow> lockIfInactive(SqlConnection conn, String tenant, String subjectId, Instant before) {
        return conn.preparedQuery("""
                        select event_seq, objected_at, restricted_at, restriction_reason from subject
                        where tenant_id = $1 and subject_id = $2 and updated_at < $3 for update""")
                .execute(Tuple.of(tenant, subjectId, utc(before)))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row r = rows.iterator().next();
                    return new SubjectRow(r.getLong("event_seq"), instant(r, "objected_at"), instant(r, "restricted_at"),
                            r.getString("restriction_reason"));
                });
    }

    Uni<Void> insertRequest(SqlConnection conn, String tenant, RequestRow r) {
        return conn.preparedQuery("""
                        insert into subject_request (tenant_id, id, subject_id, type, status, details, received_at, due_at,
                            updated_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $7)""")
                .execute(Tuple.from(Arrays.asList(tenant, r.id(), r.subjectId(), r.type().name(), r.status().name(),
                        r.details(), utc(r.receivedAt()), utc(r.dueAt()))))
                .replaceWithVoid();
    }

    Uni<Void> updateRequest(SqlConnection conn, String tenant, RequestRow r) {
        return conn.preparedQuery("""
                        update subject_request set status = $3, due_at = $4, extended_months = $5, extension_reason = $6,
                            closing_reason = $7, closed_at = $8, updated_at = $9
                        where tenant_id = $1 and id = $2""")
                .execute(Tuple.from(Arrays.asList(tenant, r.id(), r.status().name(), utc(r.dueAt()), r.extendedMonths(),
                        r.extensionReason(), r.closingReason(), r.closedAt() == null ? null : utc(r.closedAt()),
                        utc(r.updatedAt()))))
                .replaceWithVoid();
    }

    /** One request of the tenant, or null. */
    Uni<RequestRow> find(SqlClient client, String tenant, UUID id) {
        return client.preparedQuery("select * from subject_request where tenant_id = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.size() == 0 ? null : request(rows.iterator().next()));
    }

    /** The tenant's requests matching the filter, the earliest due first. */
    Uni<List<RequestRow>> list(SqlClient client, String tenant, RequestFilter f, int limit) {
        return client.preparedQuery("""
                        select * from subject_request
                        where tenant_id = $1 and ($2::text is null or status = $2) and ($3::text is null or type = $3)
                          and ($4::timestamptz is null or due_at < $4) and ($5::text is null or subject_id = $5)
                          and (not $6 or status not in ('COMPLETED', 'REJECTED'))
                        order by due_at, id limit $7""")
                .execute(Tuple.from(Arrays.asList(tenant, f.status() == null ? null : f.status().name(),
                        f.type() == null ? null : f.type().name(), f.dueBefore() == null ? null : utc(f.dueBefore()),
                        f.subjectId(), f.openOnly(), limit)))
                .map(rows -> {
                    List<RequestRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(request(r)));
                    return out;
                });
    }

    private static RequestRow request(Row r) {
        return new RequestRow(r.getUUID("id"), r.getString("subject_id"), SubjectRequestType.valueOf(r.getString("type")),
                SubjectRequestStatus.valueOf(r.getString("status")), r.getString("details"), instant(r, "received_at"),
                instant(r, "due_at"), r.getInteger("extended_months"), r.getString("extension_reason"),
                r.getString("closing_reason"), instant(r, "closed_at"), instant(r, "updated_at"));
    }

    static OffsetDateTime utc(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
