package io.samtykke.consent.subject;

import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectExportPart;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.samtykke.consent.subject.SubjectStore.utc;

/** The SQL of exports (migration V6): requested exports, the parts' chunks as received, readiness and expiry. */
@ApplicationScoped
public class ExportStore {

    /** A requested export as stored. */
    record ExportRow(UUID requestId, String subjectId, Instant requestedAt, Instant readyAt, Instant expiresAt, int downloads) {
    }

    Uni<Void> requested(SqlClient conn, String tenant, UUID requestId, String subjectId, Instant now, Instant expiresAt) {
        return conn.preparedQuery("""
                        insert into subject_export (tenant_id, request_id, subject_id, requested_at, expires_at)
                        values ($1, $2, $3, $4, $5) on conflict do nothing""")
                .execute(Tuple.of(tenant, requestId, subjectId, utc(now), utc(expiresAt)))
                .replaceWithVoid();
    }

    Uni<ExportRow> find(SqlClient client, String tenant, UUID requestId, boolean forUpdate) {
        return client.preparedQuery("select * from subject_export where tenant_id = $1 and request_id = $2"
                        + (forUpdate ? " for update" : ""))
                .execute(Tuple.of(tenant, requestId))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /**
     * Keeps one chunk, once (by its part and number), when it belongs to an export requested for the same person and not
     * yet expired; true when it was new.
     */
    Uni<Boolean> keep(SqlClient client, SubjectExportPart c, String payload, Instant now) {
        return client.preparedQuery("""
                        insert into export_part_chunk (tenant_id, request_id, service, part_id, chunk, chunks, event_id, payload,
                            received_at)
                        select $1, $2, $3, $4, $5, $6, $7, $8, $9 from subject_export e
                        where e.tenant_id = $1 and e.request_id = $2 and e.subject_id = $10 and e.expires_at > $9
                        on conflict do nothing
                        returning 1""")
                .execute(Tuple.from(Arrays.asList(c.tenantId(), c.requestId(), c.service(), c.partId(), c.chunk(), c.chunks(),
                        c.eventId(), payload, utc(now), c.subjectId())))
                .map(rows -> rows.size() > 0);
    }

    /** The complete parts of an export, by service: the first part (by arrival) of a service that has all its chunks. */
    Uni<Map<String, List<SubjectExportPart>>> completeParts(SqlClient client, String tenant, UUID requestId) {
        return client.preparedQuery("""
                        select c.service, c.part_id, c.payload from export_part_chunk c
                        join (select service, part_id, min(received_at) as first_at from export_part_chunk
                              where tenant_id = $1 and request_id = $2
                              group by service, part_id having count(*) = max(chunks)) complete
                          on complete.service = c.service and complete.part_id = c.part_id
                        where c.tenant_id = $1 and c.request_id = $2
                        order by complete.first_at, c.service, c.part_id, c.chunk""")
                .execute(Tuple.of(tenant, requestId))
                .map(rows -> {
                    Map<String, UUID> chosen = new LinkedHashMap<>();
                    Map<String, List<SubjectExportPart>> parts = new LinkedHashMap<>();
                    for (Row r : rows) {
                        String service = r.getString("service");
                        if (!chosen.computeIfAbsent(service, s -> r.getUUID("part_id")).equals(r.getUUID("part_id"))) {
                            continue;
                        }
                        parts.computeIfAbsent(service, s -> new ArrayList<>())
                                .add(EventJson.read(r.getString("payload"), SubjectExportPart.class));
                    }
                    return parts;
                });
    }

    Uni<Void> ready(SqlClient conn, String tenant, UUID requestId, Instant now) {
        return conn.preparedQuery("update subject_export set ready_at = $3 where tenant_id = $1 and request_id = $2")
                .execute(Tuple.of(tenant, requestId, utc(now)))
                .replaceWithVoid();
    }

    Uni<Void> downloaded(SqlClient conn, String tenant, UUID requestId) {
        return conn.preparedQuery("update subject_export set downloads = downloads + 1 where tenant_id = $1 and request_id = $2")
                .execute(Tuple.of(tenant, requestId))
                .replaceWithVoid();
    }

    /** Deletes the exports (and with them their chunks) that expired; returns how many. */
    Uni<Integer> purge(SqlClient client, Instant now) {
        return client.preparedQuery("delete from subject_export where expires_at <= $1")
                .execute(Tuple.of(utc(now)))
                .map(rows -> rows.rowCount());
    }

    private static ExportRow row(Row r) {
        return new ExportRow(r.getUUID("request_id"), r.getString("subject_id"), instant(r.getOffsetDateTime("requested_at")),
                instant(r.getOffsetDateTime("ready_at")), instant(r.getOffsetDateTime("expires_at")), r.getInteger("downloads"));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
