package io.samtykke.audit.entry;

import io.samtykke.audit.privacy.SubjectKeys;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads a tenant's log by position or filter, a page at a time, in seq order either way. */
@ApplicationScoped
public class EntryQueries {

    @Inject
    Pool pool;

    @Inject
    EntryReader reader;

    @Inject
    SubjectKeys keys;

    /**
     * What to read; null members match everything. The subject is given by id and looked up by its pseudonym.
     *
     * @param from inclusive lower bound of the event time
     * @param to   exclusive upper bound of the event time
     */
    public record Filter(String subjectId, String purpose, String type, Instant from, Instant to) {

        public static final Filter ALL = new Filter(null, null, null, null, null);

        public boolean isAll() {
            return equals(ALL);
        }
    }

    /** Up to {@code limit} entries after (or, newest first, before) the cursor. */
    public Uni<EntryPage> page(String tenant, Filter filter, Cursor cursor, boolean newestFirst, int limit) {
        long bound = cursor != null ? cursor.seq() : newestFirst ? Long.MAX_VALUE : -1;
        return rows(tenant, filter, bound, Long.MAX_VALUE, newestFirst, limit + 1)
                .flatMap(rows -> reader.read(tenant, rows))
                .map(entries -> {
                    if (entries.size() <= limit) {
                        return new EntryPage(entries, null);
                    }
                    List<AuditEntry> page = List.copyOf(entries.subList(0, limit));
                    return new EntryPage(page, new Cursor(page.get(limit - 1).seq(), newestFirst).encode());
                });
    }

    /**
     * The raw rows of up to {@code limit} entries beyond {@code bound} in reading order, all below {@code treeSize}:
     * what pages and exports are made of.
     */
    public Uni<RowSet<Row>> rows(String tenant, Filter filter, long bound, long treeSize, boolean newestFirst, int limit) {
        // only the conditions in use, so PostgreSQL plans each shape of query with the index that fits it
        List<Object> params = new ArrayList<>(List.of(tenant, bound, treeSize));
        StringBuilder where = new StringBuilder("tenant_id = $1 and seq " + (newestFirst ? "<" : ">") + " $2 and seq < $3");
        condition(where, params, "subject_ref = ", filter.subjectId() == null ? null : keys.pseudonym(tenant, filter.subjectId()));
        condition(where, params, "purpose = ", filter.purpose());
        condition(where, params, "type = ", filter.type());
        condition(where, params, "event_time >= ", utc(filter.from()));
        condition(where, params, "event_time < ", utc(filter.to()));
        params.add(limit);
        return pool.preparedQuery("select " + EntryReader.COLUMNS + " from audit_entry where " + where
                        + " order by seq " + (newestFirst ? "desc" : "asc") + " limit $" + params.size())
                .execute(Tuple.from(params));
    }

    private static void condition(StringBuilder where, List<Object> params, String test, Object value) {
        if (value != null) {
            params.add(value);
            where.append(" and ").append(test).append('$').append(params.size());
        }
    }

    public Uni<Optional<AuditEntry>> bySeq(String tenant, long seq) {
        return one(tenant, pool.preparedQuery("select " + EntryReader.COLUMNS + " from audit_entry where tenant_id = $1 and seq = $2")
                .execute(Tuple.of(tenant, seq)));
    }

    public Uni<Optional<AuditEntry>> byEventId(String tenant, UUID eventId) {
        return one(tenant, pool.preparedQuery("select " + EntryReader.COLUMNS + " from audit_entry where tenant_id = $1 and event_id = $2")
                .execute(Tuple.of(tenant, eventId)));
    }

    /**
     * The entry of {@code eventId} if it is about {@code subjectId}: matched by the subject's keyed pseudonym, which the
     * entry keeps for good, never by the subject id its sealed values open to (that reads "erased" once the key is gone).
     */
    public Uni<Optional<AuditEntry>> byEventIdAbout(String tenant, UUID eventId, String subjectId) {
        return one(tenant, pool.preparedQuery("select " + EntryReader.COLUMNS
                        + " from audit_entry where tenant_id = $1 and event_id = $2 and subject_ref = $3")
                .execute(Tuple.of(tenant, eventId, keys.pseudonym(tenant, subjectId))));
    }

    private Uni<Optional<AuditEntry>> one(String tenant, Uni<RowSet<Row>> query) {
        return query.flatMap(rows -> reader.read(tenant, rows))
                .map(entries -> entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0)));
    }

    private static OffsetDateTime utc(Instant t) {
        return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }
}
