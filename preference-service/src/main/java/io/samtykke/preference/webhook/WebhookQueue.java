package io.samtykke.preference.webhook;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The webhook outbox in PostgreSQL ({@code webhook_delivery}, {@code webhook_attempt}): deliveries are appended in the
 * transaction that stores the change, and the dispatcher claims the due ones and records what each attempt came to.
 * Per subscription and subject only the oldest undelivered event is ever due or in flight, so one person's events
 * arrive in order. Claiming and recording run on the dispatcher's thread only.
 */
@ApplicationScoped
public class WebhookQueue {

    public static final String CHANNEL = "webhook_delivery";
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    /** One delivery taken from the outbox, with the subscription's URL and secrets. */
    record Delivery(long id, UUID subscription, String tenant, String subjectId, UUID eventId, String eventType,
                    String payload, Instant changedAt, int attempts, String url, String secret, String previousSecret,
                    Instant previousSecretValidUntil) {
        String queue() {
            return subscription + "|" + subjectId;
        }

        /** The secrets to sign with: the current one, and within a rotation's overlap the previous one too. */
        List<String> secrets(Instant at) {
            return previousSecret != null && at.isBefore(previousSecretValidUntil) ? List.of(secret, previousSecret) : List.of(secret);
        }
    }

    /** What one attempt came to: a row of the ledger's {@code webhook_attempt}. */
    record Attempt(Delivery delivery, Instant startedAt, int durationMillis, Integer statusCode, String error) {
        boolean acknowledged() {
            return statusCode != null && statusCode / 100 == 2;
        }
    }

    /** What an attempt makes of its delivery: acknowledged, due again at {@code retryAt}, or dead-lettered. */
    record Outcome(Attempt attempt, Status status, Instant retryAt) {
        enum Status { DELIVERED, PENDING, DEAD }
    }

    /** Deliveries waiting per active subscription, for the gauges. */
    record Backlog(UUID subscription, String tenant, long pending, long dead, double oldestSeconds) {
    }

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    SecretSealer sealer;

    private final Set<String> inFlight = new HashSet<>();

    /**
     * Appends an event's deliveries, one per active subscription of the tenant that wants its type, in the transaction
     * that stores the change, and wakes the dispatcher (NOTIFY at commit). An event enqueued twice (a redelivered Kafka
     * record) is stored once.
     *
     * @param changedAt when the change was stored upstream: where the subscriber's lag starts
     */
    public static Uni<Integer> enqueue(SqlClient conn, String tenant, String subjectId, UUID eventId, String eventType,
                                       String payload, Instant changedAt) {
        return enqueue(conn, tenant, subjectId, eventId, eventType, payload, changedAt, false);
    }

    /**
     * An erasure's deliveries: to EVERY active subscription of the tenant, whatever event types it asked for, because
     * the controller must tell each recipient of the person's data (GDPR Art. 19). Otherwise as {@link #enqueue}.
     */
    public static Uni<Integer> enqueueToAll(SqlClient conn, String tenant, String subjectId, UUID eventId, String eventType,
                                            String payload, Instant changedAt) {
        return enqueue(conn, tenant, subjectId, eventId, eventType, payload, changedAt, true);
    }

    private static Uni<Integer> enqueue(SqlClient conn, String tenant, String subjectId, UUID eventId, String eventType,
                                        String payload, Instant changedAt, boolean everySubscription) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return conn.preparedQuery("""
                        insert into webhook_delivery (subscription_id, tenant_id, subject_id, event_id, event_type, payload,
                            changed_at, created_at, status, next_attempt_at)
                        select w.id, $1, $2, $3, $4, $5, $6, $7, 'PENDING', $7 from webhook_subscription w
                        where w.tenant_id = $1 and w.active and ($8 or $4 = any(w.event_types))
                        on conflict (subscription_id, event_id) do nothing""")
                .execute(Tuple.from(Arrays.asList(tenant, subjectId, eventId, eventType, payload,
                        OffsetDateTime.ofInstant(changedAt, ZoneOffset.UTC), now, everySubscription)))
                .flatMap(rows -> rows.rowCount() == 0
                        ? Uni.createFrom().item(0)
                        : conn.preparedQuery("select pg_notify($1, '')").execute(Tuple.of(CHANNEL)).replaceWith(rows.rowCount()));
    }

    /**
     * Claims the oldest undelivered event of each subscription × subject that is due and not in flight, so that at most
     * {@code concurrency} are in flight; each stays claimed until its attempt is {@link #record recorded}. Blocking.
     */
    List<Delivery> claimDue(int concurrency) {
        int free = concurrency - inFlight.size();
        if (free <= 0) {
            return List.of();
        }
        List<Delivery> due = new ArrayList<>();
        pool.preparedQuery("""
                        select d.id, d.subscription_id, d.tenant_id, d.subject_id, d.event_id, d.event_type, d.payload,
                               d.changed_at, d.attempts, s.url, s.secret, s.previous_secret, s.previous_secret_valid_until
                        from (select distinct on (subscription_id, subject_id) id, status, next_attempt_at
                              from webhook_delivery where status <> 'DELIVERED'
                              order by subscription_id, subject_id, id) head
                        join webhook_delivery d on d.id = head.id
                        join webhook_subscription s on s.id = d.subscription_id
                        where head.status = 'PENDING' and head.next_attempt_at <= $1 and s.active
                        order by head.next_attempt_at, d.id
                        limit $2""")
                .execute(Tuple.of(OffsetDateTime.now(clock), free + inFlight.size()))
                .await().atMost(DB_TIMEOUT)
                .forEach(r -> {
                    try {
                        due.add(delivery(r));
                    } catch (IllegalStateException unopenedSecret) {
                        // the delivery stays pending, in order, until the right secret-encryption-key is configured
                        Log.errorf("webhook delivery %d waits: %s", r.getLong("id"), unopenedSecret.getMessage());
                    }
                });
        List<Delivery> claimed = new ArrayList<>();
        for (Delivery d : due) {
            if (inFlight.size() >= concurrency) {
                break;
            }
            if (inFlight.add(d.queue())) {
                claimed.add(d);
            }
        }
        return claimed;
    }

    /** Writes the attempts and the deliveries' new state in one transaction, then frees their claims. Blocking. */
    void record(List<Outcome> outcomes, Instant now) {
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        List<Tuple> attempts = new ArrayList<>();
        List<Tuple> delivered = new ArrayList<>();
        List<Tuple> retries = new ArrayList<>();
        List<Tuple> dead = new ArrayList<>();
        for (Outcome o : outcomes) {
            Attempt a = o.attempt();
            Delivery d = a.delivery();
            attempts.add(Tuple.from(Arrays.asList(d.id(), OffsetDateTime.ofInstant(a.startedAt(), ZoneOffset.UTC),
                    a.durationMillis(), a.statusCode(), a.error())));
            int tried = d.attempts() + 1;
            switch (o.status()) {
                case DELIVERED -> delivered.add(Tuple.from(Arrays.asList(d.id(), tried, at, a.statusCode())));
                case DEAD -> dead.add(Tuple.from(Arrays.asList(d.id(), tried, at, a.statusCode(), a.error())));
                case PENDING -> retries.add(Tuple.from(Arrays.asList(d.id(), tried, at, a.statusCode(), a.error(),
                        OffsetDateTime.ofInstant(o.retryAt(), ZoneOffset.UTC))));
            }
        }
        try {
            store(attempts, delivered, retries, dead);
        } finally {
            // also when storing failed: the deliveries stay PENDING and go out again (at least once, same webhook-id)
            outcomes.forEach(o -> inFlight.remove(o.attempt().delivery().queue()));
        }
    }

    private void store(List<Tuple> attempts, List<Tuple> delivered, List<Tuple> retries, List<Tuple> dead) {
        pool.withTransaction(conn -> conn.preparedQuery("""
                                insert into webhook_attempt (delivery_id, started_at, duration_ms, status_code, error)
                                select $1, $2, $3, $4, $5 where exists (select 1 from webhook_delivery where id = $1)""")
                        .executeBatch(attempts) // a delivery deleted meanwhile (its person erased) keeps no attempt
                        .call(v -> delivered.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                update webhook_delivery set status = 'DELIVERED', attempts = $2, last_attempt_at = $3,
                                    acknowledged_at = $3, last_status_code = $4, last_error = null where id = $1""")
                                .executeBatch(delivered))
                        .call(v -> retries.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                update webhook_delivery set attempts = $2, last_attempt_at = $3, last_status_code = $4,
                                    last_error = $5, next_attempt_at = $6 where id = $1""")
                                .executeBatch(retries))
                        .call(v -> dead.isEmpty() ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                update webhook_delivery set status = 'DEAD', attempts = $2, last_attempt_at = $3, dead_at = $3,
                                    last_status_code = $4, last_error = $5 where id = $1""")
                                .executeBatch(dead)))
                .await().atMost(DB_TIMEOUT);
    }

    /** Pending and dead-lettered deliveries and the age of the oldest unacknowledged change, per active subscription. Blocking. */
    List<Backlog> backlog(Instant now) {
        List<Backlog> backlog = new ArrayList<>();
        pool.preparedQuery("""
                        select s.id, s.tenant_id,
                               count(d.id) filter (where d.status = 'PENDING') as pending,
                               count(d.id) filter (where d.status = 'DEAD') as dead,
                               coalesce(extract(epoch from ($1 - min(d.changed_at))), 0) as oldest
                        from webhook_subscription s
                        left join webhook_delivery d on d.subscription_id = s.id and d.status <> 'DELIVERED'
                        where s.active group by s.id, s.tenant_id""")
                .execute(Tuple.of(OffsetDateTime.ofInstant(now, ZoneOffset.UTC)))
                .await().atMost(DB_TIMEOUT)
                .forEach(r -> backlog.add(new Backlog(r.getUUID("id"), r.getString("tenant_id"), r.getLong("pending"),
                        r.getLong("dead"), ((Number) r.getValue("oldest")).doubleValue())));
        return backlog;
    }

    private Delivery delivery(Row r) {
        OffsetDateTime previousValidUntil = r.getOffsetDateTime("previous_secret_valid_until");
        return new Delivery(r.getLong("id"), r.getUUID("subscription_id"), r.getString("tenant_id"), r.getString("subject_id"),
                r.getUUID("event_id"), r.getString("event_type"), r.getString("payload"),
                r.getOffsetDateTime("changed_at").toInstant(), r.getInteger("attempts"), r.getString("url"),
                sealer.open(r.getUUID("subscription_id"), r.getString("secret")),
                sealer.open(r.getUUID("subscription_id"), r.getString("previous_secret")),
                previousValidUntil == null ? null : previousValidUntil.toInstant());
    }
}
