package io.samtykke.audit.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a tenant's log in seq order, filtered and one page at a time. */
@ApplicationScoped
public class EntryQueries {

    @Inject
    Pool pool;

    @Inject
    ObjectMapper json;

    /** Filters that are null match everything. */
    public record Filter(String subjectId, String purpose, String type) {
    }

    /** Up to {@code limit} entries with seq above {@code afterSeq} (-1 for the start). */
    public Uni<EntryPage> page(String tenant, Filter filter, long afterSeq, int limit) {
        return pool.preparedQuery("""
                        select seq, event_id, type, subject_id, purpose, event_time, received_at, payload
                        from audit_entry
                        where tenant_id = $1 and seq > $2
                          and ($3::text is null or subject_id = $3)
                          and ($4::text is null or purpose = $4)
                          and ($5::text is null or type = $5)
                        order by seq limit $6""")
                .execute(Tuple.from(Arrays.asList(tenant, afterSeq, filter.subjectId(), filter.purpose(), filter.type(),
                        limit + 1)))
                .map(rows -> {
                    List<AuditEntry> entries = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        entries.add(entry(r));
                    }
                    if (entries.size() <= limit) {
                        return new EntryPage(entries, null);
                    }
                    List<AuditEntry> page = List.copyOf(entries.subList(0, limit));
                    return new EntryPage(page, Cursor.after(page.get(limit - 1).seq()));
                });
    }

    private AuditEntry entry(Row r) {
        try {
            return new AuditEntry(r.getLong("seq"), r.getUUID("event_id"), r.getString("type"), r.getString("subject_id"),
                    r.getString("purpose"), r.getOffsetDateTime("event_time").toInstant(),
                    r.getOffsetDateTime("received_at").toInstant(), json.readTree(r.getBuffer("payload").getBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException("stored payload of entry " + r.getLong("seq") + " is not JSON", e);
        }
    }
}
