package io.samtykke.preference.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.kit.db.DatabaseConnections;
import io.samtykke.kit.leader.LeaderLock;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.webhook.WebhookQueue.Attempt;
import io.samtykke.preference.webhook.WebhookQueue.Delivery;
import io.samtykke.preference.webhook.WebhookQueue.Outcome;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Delivers the webhook outbox: claims what is due from the {@link WebhookQueue}, hands each delivery to the
 * {@link WebhookSender}, and records what the attempts came to. Failures are retried with exponential {@link Backoff}
 * and dead-lettered after {@code max-attempts}. One instance delivers at a time: the holder of the kit's leader lock
 * (a PostgreSQL advisory lock on its LISTEN connection, which also brings the wake-ups). Database work runs on the
 * dispatcher's own thread; HTTP calls are asynchronous and report back through the same wake-up queue.
 */
@ApplicationScoped
public class WebhookDispatcher {

    /** Advisory lock id of the dispatcher: "hook" in ASCII. */
    static final long LOCK_ID = 0x686f6f6bL;
    private static final Duration GAUGE_REFRESH = Duration.ofSeconds(1);
    private static final Object WAKE = new Object();

    @Inject
    Vertx vertx;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry metrics;

    @Inject
    PreferenceConfig config;

    @Inject
    DatabaseConnections connections;

    @Inject
    WebhookQueue queue;

    @Inject
    WebhookSender sender;

    /** Wake-ups (NOTIFY, the timer) and finished attempts, taken by the dispatcher's thread. */
    private final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private volatile LeaderLock lock;
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
        running = true;
        lock = connections.leaderLock(WebhookQueue.CHANNEL, LOCK_ID, () -> signals.offer(WAKE));
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

    /** Takes the dispatcher over when nobody holds it, and wakes the loop as a fallback poll. */
    private void tick() {
        if (!running) {
            return;
        }
        lock.claim().subscribe().with(owner -> signals.offer(WAKE),
                e -> Log.warnf("webhook dispatcher could not reach PostgreSQL (%s); retrying", e.getMessage()));
    }

    private void run() {
        while (running) {
            try {
                Object first = signals.poll(config.webhooks().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                List<Attempt> attempts = new ArrayList<>();
                for (Object s = first; s != null; s = signals.poll()) {
                    if (s instanceof Attempt a) {
                        attempts.add(a);
                    }
                }
                if (!attempts.isEmpty()) {
                    record(attempts);
                }
                if (running && lock.owner()) {
                    for (Delivery d : queue.claimDue(config.webhooks().concurrency())) {
                        sender.send(d).thenAccept(signals::offer);
                    }
                }
                refreshGauges();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Log.warnf("webhook dispatcher round failed (%s); retrying", e.toString());
                // a pause after a failed round (PostgreSQL away), not a poll: the wake-up queue must keep the
                // finished attempts it holds, so the loop does not wait on it here
                pause(500);
            }
        }
    }

    /** Decides what each attempt makes of its delivery, records it, and counts it. */
    private void record(List<Attempt> attempts) {
        Instant now = clock.instant();
        List<Outcome> outcomes = attempts.stream().map(a -> outcome(a, now)).toList();
        queue.record(outcomes, now);
        observe(outcomes, now);
    }

    private Outcome outcome(Attempt a, Instant now) {
        int tried = a.delivery().attempts() + 1;
        if (a.acknowledged()) {
            return new Outcome(a, Outcome.Status.DELIVERED, null);
        }
        if (tried >= config.webhooks().maxAttempts()) {
            return new Outcome(a, Outcome.Status.DEAD, null);
        }
        return new Outcome(a, Outcome.Status.PENDING, now.plus(backoff.after(tried)));
    }

    private void observe(List<Outcome> outcomes, Instant now) {
        for (Outcome o : outcomes) {
            Attempt a = o.attempt();
            Delivery d = a.delivery();
            if (o.status() == Outcome.Status.DELIVERED) {
                acknowledged.increment();
                Duration lag = Duration.between(d.changedAt(), now);
                Timer.builder("samtykke.webhook.ack.lag")
                        .description("From a consent change being stored to the subscriber acknowledging it")
                        .tags("tenant", d.tenant(), "subscription", d.subscription().toString())
                        .publishPercentiles(0.5, 0.99)
                        .register(metrics)
                        .record(lag.isNegative() ? Duration.ZERO : lag);
                continue;
            }
            failed.increment();
            if (o.status() == Outcome.Status.DEAD) {
                deadLettered.increment();
                Log.warnf("webhook delivery %d (event %s, subject %s) to %s dead-lettered after %d attempts: %s",
                        d.id(), d.eventId(), d.subjectId(), d.url(), d.attempts() + 1, a.error());
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
        for (WebhookQueue.Backlog b : queue.backlog(now)) {
            Tags tags = Tags.of("tenant", b.tenant(), "subscription", b.subscription().toString());
            pending.add(MultiGauge.Row.of(tags, b.pending()));
            dead.add(MultiGauge.Row.of(tags, b.dead()));
            oldest.add(MultiGauge.Row.of(tags, b.oldestSeconds()));
        }
        pendingGauge.register(pending, true);
        deadGauge.register(dead, true);
        oldestGauge.register(oldest, true);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
