package io.samtykke.preference.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.kit.leader.LeaderLock;
import io.samtykke.preference.leader.LeaderLocks;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the webhook outbox. Per subscription and subject only the oldest undelivered event is ever in
 * flight, so one person's events arrive in order and a receiver failing for one person holds back only that
 * person's later events; a dead-lettered event keeps holding them until it is replayed. Failures are retried
 * with exponential backoff; every attempt and acknowledgement goes to the ledger. One instance delivers at a
 * time: the holder of a PostgreSQL advisory lock on its LISTEN connection. Database work runs on the
 * dispatcher's own thread; HTTP calls are asynchronous.
 */
@ApplicationScoped
public class WebhookDispatcher {

    /** Advisory lock id of the dispatcher: "hook" in ASCII. */
    static final long LOCK_ID = 0x686f6f6bL;
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration GAUGE_REFRESH = Duration.ofSeconds(1);
    private static final Object WAKE = new Object();

    @Inject
    Pool pool;

    @Inject
    Vertx vertx;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Inject
    PreferenceConfig config;

    @Inject
    LeaderLocks leaderLocks;

    @Inject
    SecretSealer sealer;

    private final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private final Set<String> inFlight = new HashSet<>();
    private volatile boolean running;
    private volatile LeaderLock lock;
    private HttpClient http;
    private Thread worker;
    private long timer = -1;
    private Backoff backoff;
    private Counter acknowledged;
    private Counter failed;
    private Counter deadLettered;
    private MultiGauge pendingGauge;
    private MultiGauge deadGauge;
    private MultiGauge oldestGauge;
    private Instant gaugesRefreshed = Instant.EPOCH;

    /** One delivery taken from the outbox. */
    private record Delivery(long id, UUID subscription, String tenant, String subjectId, UUID eventId, String eventType,
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

    /** An attempt not made: the URL's host is or resolves to an address webhooks may not reach. */
    private static final class AddressNotAllowed extends RuntimeException {
        AddressNotAllowed(String why) {
            super("address not allowed: " + why, null, false, false);
        }
    }

    /** What one attempt came to. */
    private record Result(Delivery delivery, Instant startedAt, int durationMillis, Integer statusCode, String error) {
        boolean acknowledged() {
            return statusCode != null && statusCode / 100 == 2;
        }
    }

    void onStart(@Observes StartupEvent ev) {
        backoff = new Backoff(config.webhooks().initialBackoff(), config.webhooks().maxBackoff());
        acknowledged = metrics.counter("samtykke.webhook.attempts", "outcome", "acknowledged");
        failed = metrics.counter("samtykke.webhook.attempts", "outcome", "failed");
        deadLettered = metrics.counter("samtykke.webhook.dead.lettered");
        pendingGauge = MultiGauge.builder("samtykke.webhook.pending")
                .description("Deliveries waiting or being retried, per subscription").register(metrics);
        deadGauge = MultiGauge.builder("samtykke.webhook.dead")
                .description("Dead-lettered deliveries waiting for a replay, per subscription").register(metrics);
        oldestGauge = MultiGauge.builder("samtykke.webhook.oldest.unacknowledged.seconds")
                .description("Age of the oldest consent change a subscriber has not acknowledged").register(metrics);
        metrics.gauge("samtykke.webhook.dispatcher.active", this, d -> d.lock != null && d.lock.owner() ? 1 : 0);
        if (!config.webhooks().deliveryEnabled()) {
            return;
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        running = true;
        lock = leaderLocks.create(WebhookQueue.CHANNEL, LOCK_ID, () -> signals.offer(WAKE));
        worker = new Thread(this::run, "webhook-dispatcher");
        worker.setDaemon(true);
        worker.start();
        timer = vertx.setPeriodic(config.webhooks().pollInterval().toMillis(), id -> tick());
        tick();
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        signals.offer(WAKE);
        if (worker != null) {
            try {
                worker.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (lock != null) {
            lock.release();
        }
    }

    /** Wakes the dispatcher at once, e.g. after deliveries were enqueued in this process. */
    public void wake() {
        signals.offer(WAKE);
    }

    /** Takes the dispatcher over when nobody holds it, and wakes the loop as a fallback poll. */
    private void tick() {
        if (!running) {
            return;
        }
        lock.claim().subscribe().with(owner -> signals.offer(WAKE),
                e -> LOG.warnf("webhook dispatcher could not reach PostgreSQL (%s); retrying", e.getMessage()));
    }

    private void run() {
        while (running) {
            try {
                Object first = signals.poll(config.webhooks().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                List<Result> results = new ArrayList<>();
                for (Object s = first; s != null; s = signals.poll()) {
                    if (s instanceof Result r) {
                        results.add(r);
                    }
                }
                if (!results.isEmpty()) {
                    record(results);
                }
                if (running && lock.owner()) {
                    dispatch();
                }
                refreshGauges();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("webhook dispatcher round failed (%s); retrying", e.toString());
                sleep(500);
            }
        }
    }

    /** Sends the oldest undelivered event of each subscription × subject that is due and not in flight. */
    private void dispatch() {
        int free = config.webhooks().concurrency() - inFlight.size();
        if (free <= 0) {
            return;
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
                        LOG.errorf("webhook delivery %d waits: %s", r.getLong("id"), unopenedSecret.getMessage());
                    }
                });
        for (Delivery d : due) {
            if (inFlight.size() >= config.webhooks().concurrency()) {
                break;
            }
            if (inFlight.add(d.queue())) {
                send(d);
            }
        }
    }

    private void send(Delivery d) {
        Instant started = clock.instant();
        String body;
        HttpRequest request;
        try {
            ObjectNode envelope = json.createObjectNode();
            envelope.put("type", d.eventType());
            envelope.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(d.changedAt()));
            envelope.set("data", json.readTree(d.payload()));
            body = json.writeValueAsString(envelope);
            long timestamp = started.getEpochSecond();
            request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(config.webhooks().timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "samtykke-preference-service")
                    .header("webhook-id", d.eventId().toString())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", WebhookSignature.sign(d.secrets(started), d.eventId().toString(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            signals.offer(new Result(d, started, 0, null, "cannot build the request: " + e.getMessage()));
            return;
        }
        addressAllowed(request)
                .thenCompose(allowed -> http.sendAsync(allowed, HttpResponse.BodyHandlers.discarding()))
                .whenComplete((response, error) -> {
                    int took = (int) Duration.between(started, clock.instant()).toMillis();
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        String message = cause instanceof HttpTimeoutException ? "timed out after " + config.webhooks().timeout()
                                : cause instanceof AddressNotAllowed ? cause.getMessage()
                                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                        signals.offer(new Result(d, started, took, null, message));
                    } else {
                        signals.offer(new Result(d, started, took, response.statusCode(),
                                response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode()));
                    }
                });
    }

    /**
     * The request, once its host's addresses are checked again (DNS may have changed since the subscription was made):
     * fails with {@link AddressNotAllowed} when one is not public, unless private networks are allowed. Resolving blocks,
     * so it runs on a worker thread; the HTTP client connects moments later through the same JVM address cache.
     */
    private CompletableFuture<HttpRequest> addressAllowed(HttpRequest request) {
        if (config.webhooks().allowPrivateNetworks()) {
            return CompletableFuture.completedFuture(request);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                PrivateNetworks.check(request.uri().getHost(), config.webhooks().allowLoopback()).ifPresent(why -> {
                    throw new AddressNotAllowed(why);
                });
                return request;
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, Infrastructure.getDefaultWorkerPool());
    }

    /** Writes the attempts and the deliveries' new state in one transaction, then frees their queues. */
    private void record(List<Result> results) {
        Instant now = clock.instant();
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        List<Tuple> attempts = new ArrayList<>();
        List<Tuple> delivered = new ArrayList<>();
        List<Tuple> retries = new ArrayList<>();
        List<Tuple> dead = new ArrayList<>();
        for (Result r : results) {
            Delivery d = r.delivery();
            attempts.add(Tuple.from(Arrays.asList(d.id(), OffsetDateTime.ofInstant(r.startedAt(), ZoneOffset.UTC),
                    r.durationMillis(), r.statusCode(), r.error())));
            int tried = d.attempts() + 1;
            if (r.acknowledged()) {
                delivered.add(Tuple.from(Arrays.asList(d.id(), tried, at, r.statusCode())));
            } else if (tried >= config.webhooks().maxAttempts()) {
                dead.add(Tuple.from(Arrays.asList(d.id(), tried, at, r.statusCode(), r.error())));
            } else {
                retries.add(Tuple.from(Arrays.asList(d.id(), tried, at, r.statusCode(), r.error(),
                        OffsetDateTime.ofInstant(now.plus(backoff.after(tried)), ZoneOffset.UTC))));
            }
        }
        try {
            store(attempts, delivered, retries, dead);
        } finally {
            // also when storing failed: the deliveries stay PENDING and go out again (at least once, same webhook-id)
            results.forEach(r -> inFlight.remove(r.delivery().queue()));
        }
        observe(results, now);
    }

    private void store(List<Tuple> attempts, List<Tuple> delivered, List<Tuple> retries, List<Tuple> dead) {
        pool.withTransaction(conn -> conn.preparedQuery("""
                                insert into webhook_attempt (delivery_id, started_at, duration_ms, status_code, error)
                                values ($1, $2, $3, $4, $5)""").executeBatch(attempts)
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

    private void observe(List<Result> results, Instant now) {
        for (Result r : results) {
            Delivery d = r.delivery();
            if (r.acknowledged()) {
                acknowledged.increment();
                Timer.builder("samtykke.webhook.ack.lag")
                        .description("From a consent change being stored to the subscriber acknowledging it")
                        .tags("tenant", d.tenant(), "subscription", d.subscription().toString())
                        .publishPercentiles(0.5, 0.99)
                        .register(metrics)
                        .record(Duration.between(d.changedAt(), now).isNegative() ? Duration.ZERO : Duration.between(d.changedAt(), now));
            } else {
                failed.increment();
                if (d.attempts() + 1 >= config.webhooks().maxAttempts()) {
                    deadLettered.increment();
                    LOG.warnf("webhook delivery %d (event %s, subject %s) to %s dead-lettered after %d attempts: %s",
                            d.id(), d.eventId(), d.subjectId(), d.url(), d.attempts() + 1, r.error());
                }
            }
        }
    }

    private void refreshGauges() {
        Instant now = clock.instant();
        if (now.isBefore(gaugesRefreshed.plus(GAUGE_REFRESH))) {
            return;
        }
        gaugesRefreshed = now;
        List<MultiGauge.Row<?>> pending = new ArrayList<>();
        List<MultiGauge.Row<?>> dead = new ArrayList<>();
        List<MultiGauge.Row<?>> oldest = new ArrayList<>();
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
                .forEach(r -> {
                    Tags tags = Tags.of("tenant", r.getString("tenant_id"), "subscription", r.getUUID("id").toString());
                    pending.add(MultiGauge.Row.of(tags, r.getLong("pending")));
                    dead.add(MultiGauge.Row.of(tags, r.getLong("dead")));
                    oldest.add(MultiGauge.Row.of(tags, ((Number) r.getValue("oldest")).doubleValue()));
                });
        pendingGauge.register(pending, true);
        deadGauge.register(dead, true);
        oldestGauge.register(oldest, true);
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
