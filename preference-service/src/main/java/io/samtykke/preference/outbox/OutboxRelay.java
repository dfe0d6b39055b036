package io.samtykke.preference.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.KafkaConnection;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.Topics;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.leader.LeaderLock;
import io.samtykke.preference.leader.LeaderLocks;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to {@link Topics#PREFERENCE_EVENTS} in id order with an idempotent producer
 * (acks=all) and marks them published once Kafka acknowledged them. Woken by LISTEN/NOTIFY, with a
 * poll as a fallback. One instance relays at a time: the holder of the relay's {@link LeaderLock}.
 * A crash between send and mark re-sends: duplicates with the same event id, never loss.
 */
@ApplicationScoped
public class OutboxRelay {

    public static final String CHANNEL = "preference_outbox";
    public static final String SOURCE = "/samtykke/preference-service";
    /** Advisory lock id of the relay: "pref" in ASCII, apart from other users of advisory locks. */
    static final long LOCK_ID = 0x70726566L;

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    PreferenceConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    LeaderLocks leaderLocks;

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private volatile LeaderLock lock;
    private volatile KafkaProducer<String, byte[]> producer;
    private long timer = -1;

    void onStart(@Observes StartupEvent ev) {
        metrics.gauge("samtykke.outbox.backlog", backlog);
        metrics.gauge("samtykke.outbox.relay.active", this, r -> r.lock != null && r.lock.owner() ? 1 : 0);
        metrics.more().counter("samtykke.outbox.published", List.of(), published);
        if (config.outbox().relayEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    private synchronized void start() {
        running = true;
        lock = leaderLocks.create(CHANNEL, LOCK_ID, this::drain);
        producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
        timer = vertx.setPeriodic(config.outbox().pollInterval().toMillis(), id -> tick());
        tick();
    }

    private synchronized void stop() {
        running = false;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        if (lock != null) {
            lock.release();
        }
        KafkaProducer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>(KafkaConnection.settings(kafkaConfig));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "preference-outbox-relay");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // <= 5 in flight keeps per-partition order with idempotence, even across retries
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        return p;
    }

    /** Takes the relay over when nobody holds it, refreshes the backlog gauge, drains. */
    private void tick() {
        if (!running) {
            return;
        }
        lock.claim()
                .flatMap(v -> refreshBacklog())
                .subscribe().with(v -> drain(),
                        e -> LOG.warnf("outbox relay could not reach PostgreSQL (%s); retrying", e.getMessage()));
    }

    private Uni<Void> refreshBacklog() {
        return pool.query("select count(*) as n from outbox where published_at is null").execute()
                .map(rows -> {
                    backlog.set(rows.iterator().next().getLong("n"));
                    return null;
                });
    }

    /** Publishes batches until nothing is left; a wake-up during a drain makes it go round once more. */
    private void drain() {
        if (!running || lock == null || !lock.owner()) {
            return;
        }
        if (!draining.compareAndSet(false, true)) {
            wakeAgain.set(true);
            return;
        }
        wakeAgain.set(false);
        publishBatch().subscribe().with(count -> {
            draining.set(false);
            if (count > 0 || wakeAgain.getAndSet(false)) {
                drain();
            }
        }, e -> {
            draining.set(false);
            LOG.warnf("outbox relay failed to publish (%s); the rows stay and are retried", e.getMessage());
        });
    }

    private Uni<Integer> publishBatch() {
        return pool.preparedQuery("""
                        select id, tenant_id, subject_id, subject_seq, event_id, event_type, payload, traceparent, created_at
                        from outbox where published_at is null order by id limit $1""")
                .execute(Tuple.of(config.outbox().batchSize()))
                .flatMap(rows -> {
                    KafkaProducer<String, byte[]> p = producer;
                    if (rows.size() == 0 || p == null || !running) {
                        return Uni.createFrom().item(0);
                    }
                    List<Long> ids = new ArrayList<>(rows.size());
                    List<CompletableFuture<Void>> acks = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        ids.add(r.getLong("id"));
                        CompletableFuture<Void> ack = new CompletableFuture<>();
                        p.send(record(r), (meta, error) -> {
                            if (error != null) {
                                ack.completeExceptionally(error);
                            } else {
                                ack.complete(null);
                            }
                        });
                        acks.add(ack);
                    }
                    return Uni.createFrom().completionStage(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)))
                            .emitOn(task -> vertx.getDelegate().runOnContext(v -> task.run()))
                            .flatMap(v -> pool.preparedQuery("update outbox set published_at = $2 where id = any($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new), OffsetDateTime.now())))
                            .map(v -> {
                                published.addAndGet(ids.size());
                                return ids.size();
                            });
                });
    }

    /** CloudEvents binary mode; the key (and ce_partitionkey) is tenantId/subjectId so one person's events keep their order. */
    static ProducerRecord<String, byte[]> record(Row r) {
        String tenant = r.getString("tenant_id");
        String subject = r.getString("subject_id");
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.PREFERENCE_EVENTS,
                CloudEventHeaders.partitionKey(tenant, subject), r.getString("payload").getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.of(r.getUUID("event_id"), SOURCE, r.getString("event_type"),
                        r.getOffsetDateTime("created_at").toInstant(), null, tenant, subject, r.getLong("subject_seq"),
                        Schemas.PREFERENCE_EVENT,
                        r.getString("traceparent"))
                .forEach((k, v) -> record.headers().add(k, v));
        return record;
    }
}
