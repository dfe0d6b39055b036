package io.samtykke.preference.webhook;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * Appends an event's deliveries, one per active subscription of the tenant that wants its type, in the
 * transaction that stores the change (a webhook outbox), and wakes the dispatcher. An event enqueued twice
 * (a redelivered Kafka record) is stored once.
 */
public final class WebhookQueue {

    public static final String CHANNEL = "webhook_delivery";

    private WebhookQueue() {
    }

    /** @param changedAt when the change was stored upstream: where the subscriber's lag starts */
    public static Uni<Integer> enqueue(SqlClient conn, String tenant, String subjectId, UUID eventId, String eventType,
                                       String payload, Instant changedAt) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return conn.preparedQuery("""
                        insert into webhook_delivery (subscription_id, tenant_id, subject_id, event_id, event_type, payload,
                            changed_at, created_at, status, next_attempt_at)
                        select w.id, $1, $2, $3, $4, $5, $6, $7, 'PENDING', $7 from webhook_subscription w
                        where w.tenant_id = $1 and w.active and $4 = any(w.event_types)
                        on conflict (subscription_id, event_id) do nothing""")
                .execute(Tuple.from(Arrays.asList(tenant, subjectId, eventId, eventType, payload,
                        OffsetDateTime.ofInstant(changedAt, ZoneOffset.UTC), now)))
                .flatMap(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(0)
                        : conn.preparedQuery("select pg_notify($1, '')").execute(Tuple.of(CHANNEL)).replaceWith(rows.rowCount()));
    }
}
