package io.samtykke.preference.export;

import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.preference.outbox.PreferenceOutboxRelay;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * preference-service's part of a person's export (GDPR Art. 15 access, Art. 20 portability), written to the outbox in
 * the same transaction that applies the {@code export-requested} subject event, so the part is published exactly when
 * the request is applied: the person's preferences (topics, frequency caps, quiet hours, time zone, language, channel),
 * the sends reported about them, and the webhook deliveries about them (which subscriber got which event, when it was
 * acknowledged; never the subscriber's secret). Chunked by {@link SubjectExportPart#split}.
 */
public final class ExportPart {

    public static final String SERVICE = "preference-service";
    /** The part's own format; consent-service embeds it as it is. */
    public static final int FORMAT_VERSION = 1;

    private ExportPart() {
    }

    /** Builds the part of {@code request}'s person and appends its chunks to the outbox. */
    public static Uni<Void> enqueue(SqlClient conn, SubjectEvent request, String traceparent) {
        return conn.preparedQuery("""
                        select json_build_object(
                          'service', $3::text,
                          'formatVersion', $4::int,
                          'tenantId', $1::text,
                          'subjectId', $2::text,
                          'preferences', (select row_to_json(p) from (
                              select topics, frequency_caps as "frequencyCaps", quiet_hours as "quietHours",
                                  time_zone as "timeZone", language, preferred_channel as "preferredChannel", version,
                                  updated_at as "updatedAt"
                              from preference where tenant_id = $1 and subject_id = $2) p),
                          'sends', coalesce((select json_agg(s order by s."sentAt", s.id) from (
                              select id, channel, purpose, topic, message_id as "messageId", counts_for_cap as "countsForCap",
                                  sent_at as "sentAt", recorded_at as "recordedAt"
                              from send where tenant_id = $1 and subject_id = $2) s), '[]'::json),
                          'webhookDeliveries', coalesce((select json_agg(d order by d."createdAt", d.id) from (
                              select d.id, d.subscription_id as "subscriptionId", w.url as "subscriberUrl",
                                  w.description as "subscriber", d.event_id as "eventId", d.event_type as "eventType",
                                  d.status, d.attempts, d.created_at as "createdAt", d.last_attempt_at as "lastAttemptAt",
                                  d.acknowledged_at as "acknowledgedAt"
                              from webhook_delivery d join webhook_subscription w on w.id = d.subscription_id
                              where d.tenant_id = $1 and d.subject_id = $2) d), '[]'::json)
                        )::text as part""")
                .execute(Tuple.of(request.tenantId(), request.subjectId(), SERVICE, FORMAT_VERSION))
                .flatMap(rows -> {
                    byte[] json = rows.iterator().next().getString("part").getBytes(StandardCharsets.UTF_8);
                    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    List<SubjectExportPart> chunks = SubjectExportPart.split(request.tenantId(), request.subjectId(),
                            request.request().requestId(), SERVICE, json, now);
                    List<Tuple> outbox = new ArrayList<>(chunks.size());
                    for (SubjectExportPart c : chunks) {
                        outbox.add(Tuple.from(Arrays.asList(c.tenantId(), c.subjectId(), (long) c.chunk(), c.eventId(),
                                SubjectExportPart.TYPE, EventJson.write(c), traceparent, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))));
                    }
                    return conn.preparedQuery("""
                                    insert into outbox (tenant_id, subject_id, subject_seq, event_id, event_type, payload,
                                        traceparent, created_at)
                                    values ($1, $2, $3, $4, $5, $6, $7, $8)""")
                            .executeBatch(outbox);
                })
                .flatMap(v -> conn.preparedQuery("select pg_notify($1, '')").execute(Tuple.of(PreferenceOutboxRelay.CHANNEL)))
                .replaceWithVoid();
    }
}
