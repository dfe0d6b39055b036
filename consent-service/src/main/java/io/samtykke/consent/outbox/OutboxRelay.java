package io.samtykke.consent.outbox;

import io.samtykke.contract.KafkaConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.EventJson;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes outbox rows to Kafka, in id order, with an idempotent producer (acks=all), then marks
 * them published. Woken by LISTEN/NOTIFY, with a slow poll as a fallback. Each of the
 * {@link OutboxSlots#COUNT} slots is owned by one instance at a time through a session advisory lock
 * held on the relay's own connection: if the instance dies, the lock goes with its connection and
 * another instance takes the slot over. Running relays count each other by a member lock each and
 * share the slots: one owns at most {@link OutboxSlots#fairShare} of them, handing extras back between
 * batches (never while one is in flight), so instances scale the relay out and a survivor picks up a
 * dead one's slots. A crash between send and mark re-sends: duplicates with the same event id, never loss.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    ConsentConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    String databaseUser;

    @ConfigProperty(name = "quarkus.datasource.password")
    String databasePassword;

    private final Set<Integer> owned = new ConcurrentSkipListSet<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private volatile boolean running;
    private volatile int members = 1;
    private volatile PgConnection lockConnection;
    private volatile KafkaProducer<String, byte[]> producer;
    private long timer = -1;
    private boolean topicsEnsured;

    void onStart(@Observes StartupEvent ev) {
        metrics.gauge("samtykke.outbox.backlog", backlog);
        metrics.gauge("samtykke.outbox.oldest.age.seconds", oldestAgeMillis, v -> v.get() / 1000.0);
        metrics.gauge("samtykke.outbox.slots.owned", owned, Set::size);
        metrics.gauge("samtykke.outbox.relays", this, r -> r.members);
        metrics.more().counter("samtykke.outbox.published", List.of(), published);
        if (config.outbox().relayEnabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stop();
    }

    /** Starts relaying: connects, takes free slots, listens for new rows. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        if (!topicsEnsured) {
            TopicSetup.ensureTopics(KafkaConnection.settings(kafkaConfig), config.outbox().topicPartitions(),
                    config.outbox().topicReplicationFactor());
            topicsEnsured = true;
        }
        producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
        timer = vertx.setPeriodic(config.outbox().pollInterval().toMillis(), id -> tick());
        tick();
    }

    /** Stops relaying and releases the slots (by closing the lock connection). */
    public synchronized void stop() {
        running = false;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        PgConnection c = lockConnection;
        lockConnection = null;
        owned.clear();
        if (c != null) {
            c.closeAndForget();
        }
        KafkaProducer<String, byte[]> p = producer;
        producer = null;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    public Set<Integer> ownedSlots() {
        return Set.copyOf(owned);
    }

    /** Relays running at the last look (this one included). */
    public int members() {
        return members;
    }

    public long backlog() {
        return backlog.get();
    }


    private Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>(KafkaConnection.settings(kafkaConfig));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "consent-outbox-relay");
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

    /** Takes over free slots (e.g. of a dead instance), refreshes metrics, drains. */
    private void tick() {
        if (!running) {
            return;
        }
        ensureLockConnection()
                .flatMap(conn -> countMembers(conn).flatMap(n -> shareSlots(conn, OutboxSlots.fairShare(n))))
                // the backlog gauge reads through the pool: its failure says nothing about the slot locks, keep them
                .flatMap(v -> refreshBacklog().onFailure().recoverWithItem(e -> {
                    LOG.debugf("outbox backlog not refreshed: %s", e.getMessage());
                    return null;
                }))
                .subscribe().with(v -> drain(), e -> {
                    LOG.warnf("outbox relay could not reach PostgreSQL (%s); retrying", e.getMessage());
                    dropLockConnection();
                });
    }

    private Uni<PgConnection> ensureLockConnection() {
        PgConnection c = lockConnection;
        if (c != null) {
            return Uni.createFrom().item(c);
        }
        PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl)
                .setUser(databaseUser).setPassword(databasePassword);
        return PgConnection.connect(vertx, options).flatMap(conn -> {
            conn.notificationHandler(n -> drain());
            conn.closeHandler(() -> {
                if (lockConnection == conn) {
                    dropLockConnection();
                }
            });
            return conn.query("LISTEN " + OutboxSlots.CHANNEL).execute()
                    .flatMap(r -> joinMembers(conn, 0))
                    .map(r -> {
                        lockConnection = conn;
                        return conn;
                    });
        });
    }

    private void dropLockConnection() {
        PgConnection c = lockConnection;
        lockConnection = null;
        owned.clear();
        if (c != null) {
            c.closeAndForget();
        }
    }

    /** Takes the first free member lock; with {@link OutboxSlots#MAX_MEMBERS} relays running, counts as one more. */
    private Uni<Void> joinMembers(PgConnection conn, int n) {
        if (n >= OutboxSlots.MAX_MEMBERS) {
            LOG.warnf("more than %d outbox relays run; this one shares slots as if it were the last", OutboxSlots.MAX_MEMBERS);
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("select pg_try_advisory_lock($1) as locked").execute(Tuple.of(OutboxSlots.MEMBER_BASE + n))
                .flatMap(rows -> rows.iterator().next().getBoolean("locked")
                        ? Uni.createFrom().voidItem()
                        : joinMembers(conn, n + 1));
    }

    /** The relays running now, by their member locks (each goes with its instance's connection). */
    private Uni<Integer> countMembers(PgConnection conn) {
        return conn.preparedQuery("""
                        select count(*) as n from pg_locks
                        where locktype = 'advisory' and granted and classid = 0 and objsubid = 1
                          and objid::bigint between $1 and $2
                          and database = (select oid from pg_database where datname = current_database())""")
                .execute(Tuple.of(OutboxSlots.MEMBER_BASE, OutboxSlots.MEMBER_BASE + OutboxSlots.MAX_MEMBERS - 1))
                .map(rows -> {
                    members = Math.max(1, rows.iterator().next().getLong("n").intValue());
                    return members;
                });
    }

    /** Claims free slots up to {@code share}, or hands back the ones above it while no batch is in flight. */
    private Uni<Void> shareSlots(PgConnection conn, int share) {
        if (owned.size() > share) {
            return releaseSlots(conn, owned.size() - share);
        }
        List<Integer> free = new ArrayList<>();
        for (int s = 0; s < OutboxSlots.COUNT; s++) {
            if (!owned.contains(s)) {
                free.add(s);
            }
        }
        if (free.isEmpty() || owned.size() >= share) {
            return Uni.createFrom().voidItem();
        }
        Long[] lockIds = free.stream().map(s -> OutboxSlots.LOCK_BASE + s).toArray(Long[]::new);
        return conn.preparedQuery("select id, pg_try_advisory_lock(id) as locked from unnest($1::bigint[]) as id")
                .execute(Tuple.of(lockIds))
                .flatMap(rows -> {
                    List<Long> extra = new ArrayList<>();
                    for (Row r : rows) {
                        if (r.getBoolean("locked")) {
                            int slot = (int) (r.getLong("id") - OutboxSlots.LOCK_BASE);
                            if (owned.size() < share) {
                                owned.add(slot);
                                LOG.debugf("outbox relay owns slot %d", slot);
                            } else {
                                extra.add(r.getLong("id"));
                            }
                        }
                    }
                    // more were free than this instance's share: the others get them back at once
                    return extra.isEmpty() ? Uni.createFrom().voidItem() : unlock(conn, extra);
                });
    }

    private Uni<Void> releaseSlots(PgConnection conn, int count) {
        if (!draining.compareAndSet(false, true)) {
            return Uni.createFrom().voidItem(); // a batch is in flight: hand slots back after it, on a later tick
        }
        List<Integer> give = new ArrayList<>(new TreeSet<>(owned).descendingSet()).subList(0, count);
        owned.removeAll(give);
        return unlock(conn, give.stream().map(s -> OutboxSlots.LOCK_BASE + s).toList())
                .invoke(() -> LOG.debugf("outbox relay handed back slots %s (%d relays run)", give, members))
                .eventually(() -> draining.set(false));
    }

    private static Uni<Void> unlock(PgConnection conn, List<Long> lockIds) {
        return conn.preparedQuery("select pg_advisory_unlock(id) from unnest($1::bigint[]) as id")
                .execute(Tuple.of(lockIds.toArray(Long[]::new))).replaceWithVoid();
    }

    private Uni<Void> refreshBacklog() {
        return pool.query("""
                        select count(*) as n, coalesce(extract(epoch from now() - min(created_at)) * 1000, 0) as age
                        from outbox where published_at is null""")
                .execute().map(rows -> {
                    Row r = rows.iterator().next();
                    backlog.set(r.getLong("n"));
                    oldestAgeMillis.set(r.getNumeric("age").longValue());
                    return null;
                });
    }

    /** Publishes batches until nothing is left; a wake-up during a drain makes it go round once more. */
    private void drain() {
        if (!running || owned.isEmpty()) {
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
        Integer[] slots = new TreeSet<>(owned).toArray(Integer[]::new);
        return pool.preparedQuery("""
                        select id, payload, traceparent from outbox
                        where published_at is null and slot = any($1::smallint[])
                        order by id limit $2""")
                .execute(Tuple.of(slots, config.outbox().batchSize()))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().item(0);
                    }
                    List<Long> ids = new ArrayList<>(rows.size());
                    List<CompletableFuture<Void>> acks = new ArrayList<>();
                    KafkaProducer<String, byte[]> p = producer;
                    if (p == null || !running) {
                        return Uni.createFrom().item(0);
                    }
                    for (Row r : rows) {
                        ids.add(r.getLong("id"));
                        ConsentEvent event = EventJson.read(r.getString("payload"), ConsentEvent.class);
                        for (ProducerRecord<String, byte[]> record : KafkaRecords.of(event, r.getString("traceparent"))) {
                            CompletableFuture<Void> ack = new CompletableFuture<>();
                            p.send(record, (meta, error) -> {
                                if (error != null) {
                                    ack.completeExceptionally(error);
                                } else {
                                    ack.complete(null);
                                }
                            });
                            acks.add(ack);
                        }
                    }
                    return Uni.createFrom().completionStage(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)))
                            .emitOn(r -> vertx.getDelegate().runOnContext(v -> r.run()))
                            .flatMap(v -> pool.preparedQuery("update outbox set published_at = $2 where id = any($1)")
                                    .execute(Tuple.of(ids.toArray(Long[]::new), OffsetDateTime.now())))
                            .map(v -> {
                                published.addAndGet(ids.size());
                                return ids.size();
                            });
                });
    }
}
