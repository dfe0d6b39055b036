package io.samtykke.kit.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Publishes a service's transactional outbox to Kafka: every committed row at least once, one subject's
 * rows in id order.
 *
 * <p>Correct by construction rather than by bookkeeping. All work runs on one thread, one round after
 * the other, so rounds never overlap. A round is one database transaction: it takes the slot locks
 * that are free with {@code pg_try_advisory_xact_lock}, reads those slots' oldest rows, sends them with
 * an idempotent producer (acks=all), waits for Kafka's acknowledgements and marks the acknowledged rows
 * published before it commits. The locks end with the transaction, so there is no lock session whose
 * state could drift from what this class believes, no member counting, and an instance that dies
 * (its connection closes) leaves every slot to the others at once. Several instances share the slots
 * batch by batch; a slot is only ever published by one of them at a time. A crash between Kafka's
 * acknowledgement and the commit re-sends the rows: duplicates with the same event id, never loss.
 *
 * <p>A row the service cannot turn into records (or that Kafka refuses for good) keeps its error in
 * {@code publish_error}; it holds back only the later rows of its own subject, is retried every round,
 * is counted and logged with its id and cause, and never stops the other subjects or slots.
 */
public final class OutboxRelay {

    /** Turns one outbox row into the Kafka records that carry it. Throwing marks the row as failed. */
    @FunctionalInterface
    public interface RecordMapper {
        List<ProducerRecord<String, byte[]>> records(OutboxRow row) throws Exception;
    }

    /** What the relay last saw; read by the service's health check and by tests. */
    public record Status(boolean running, long backlog, long failed, double oldestPublishableAgeSeconds,
                         int relays, int slotsCovered, Set<Integer> slotsLastRound, Boolean kafkaReachable,
                         Instant lastRoundFinished, String lastError) {
    }

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    private static final int FAILED_ROWS_PER_ROUND = 20;
    private static final String COLUMNS =
            "id, slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload, traceparent, created_at";

    private final OutboxSettings settings;
    private final Vertx vertx;
    private final Pool pool;
    private final PgConnectOptions listenOptions;
    private final Map<String, Object> kafkaConnection;
    private final RecordMapper mapper;
    private final BooleanSupplier topicSetup;
    private final String instance = UUID.randomUUID().toString();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicReference<PgConnection> listener = new AtomicReference<>();
    private final AtomicLong published = new AtomicLong();
    private final Counter publishFailures;
    private final Duration sendTimeout;

    private volatile Status status;
    private volatile Thread worker;
    private volatile boolean running;
    // touched by the worker thread only
    private KafkaProducer<String, byte[]> producer;
    private Admin admin;
    private int topicSetupAttempts;
    private long rounds;
    private String roundError;
    private boolean topicsReady;
    private final Set<Integer> slotsSinceHeartbeat = new TreeSet<>();
    private Instant lastHeartbeat = Instant.EPOCH;
    private final Map<Long, String> reportedFailures = new HashMap<>();

    /**
     * @param listenOptions   where to LISTEN for the channel (a connection of its own that holds no locks)
     * @param kafkaConnection the application's Kafka connection settings (bootstrap servers, TLS, SASL)
     * @param topicSetup      creates the topics before the first publish; false when it could not (retried,
     *                        and after three failures the relay publishes anyway, as a broker that auto-creates allows)
     */
    public OutboxRelay(OutboxSettings settings, Vertx vertx, Pool pool, PgConnectOptions listenOptions,
                       Map<String, Object> kafkaConnection, RecordMapper mapper, BooleanSupplier topicSetup,
                       MeterRegistry metrics) {
        this.settings = settings;
        this.vertx = vertx;
        this.pool = pool;
        this.listenOptions = new PgConnectOptions(listenOptions).addProperty("application_name", settings.name());
        this.kafkaConnection = Map.copyOf(kafkaConnection);
        this.mapper = mapper;
        this.topicSetup = topicSetup;
        this.sendTimeout = Duration.ofMillis(producerConfig().get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG) instanceof Integer i
                ? i + 5_000L : 35_000L);
        this.status = new Status(false, 0, 0, 0, 0, 0, Set.of(), null, null, null);
        metrics.gauge("samtykke.outbox.backlog", this, r -> r.status.backlog());
        metrics.gauge("samtykke.outbox.failed", this, r -> r.status.failed());
        metrics.gauge("samtykke.outbox.oldest.age.seconds", this, r -> r.status.oldestPublishableAgeSeconds());
        metrics.gauge("samtykke.outbox.relays", this, r -> r.status.relays());
        metrics.gauge("samtykke.outbox.slots.covered", this, r -> r.status.slotsCovered());
        metrics.gauge("samtykke.outbox.slots.owned", this, r -> r.status.slotsLastRound().size());
        metrics.more().counter("samtykke.outbox.published", List.of(), published);
        publishFailures = Counter.builder("samtykke.outbox.publish.failures")
                .description("Rows that could not be turned into records or were refused by Kafka for good")
                .register(metrics);
    }

    /** Starts the relay's thread; a second call while it runs does nothing. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        Thread t = new Thread(this::run, settings.name());
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    /** Stops after the round in flight (waiting at most for Kafka's send timeout) and closes the connections. */
    public void stop() {
        Thread t;
        synchronized (this) {
            running = false;
            t = worker;
            worker = null;
        }
        if (t == null) {
            return;
        }
        wake.release();
        try {
            t.join(sendTimeout.toMillis() + DB_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Wakes the relay for a round now (it coalesces: many wake-ups during a round cause one more round). */
    public void wake() {
        if (wake.availablePermits() == 0) {
            wake.release();
        }
    }

    public Status status() {
        return status;
    }

    /**
     * Why this relay counts as stuck, if it does: a publishable row older than {@code stuckAfter} while Kafka
     * answers (a backlog while Kafka is away is expected and drains when it is back), or no round finished
     * within {@code stuckAfter} (the relay's thread hangs). Rows held back behind a failed row are not
     * "stuck" here: they are counted in {@code failed} and reported with their cause.
     */
    public Optional<String> stuck() {
        Status s = status;
        if (!s.running()) {
            return Optional.of("the outbox relay is not running");
        }
        Instant last = s.lastRoundFinished();
        if (last != null && Duration.between(last, Instant.now()).compareTo(settings.stuckAfter()) > 0) {
            return Optional.of("no relay round finished for " + Duration.between(last, Instant.now()).toSeconds() + " s");
        }
        if (s.oldestPublishableAgeSeconds() > settings.stuckAfter().toSeconds() && Boolean.TRUE.equals(s.kafkaReachable())) {
            return Optional.of("the oldest publishable outbox row is " + Math.round(s.oldestPublishableAgeSeconds())
                    + " s old while Kafka answers" + (s.lastError() == null ? "" : "; last error: " + s.lastError()));
        }
        return Optional.empty();
    }

    /** The status as health-check details. */
    public Map<String, Object> details() {
        Status s = status;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("backlog", s.backlog());
        d.put("failedRows", s.failed());
        d.put("oldestPublishableAgeSeconds", Math.round(s.oldestPublishableAgeSeconds()));
        d.put("relays", s.relays());
        d.put("slotsCovered", s.slotsCovered() + "/" + settings.slots());
        if (s.kafkaReachable() != null) {
            d.put("kafkaReachable", s.kafkaReachable());
        }
        if (s.lastError() != null) {
            d.put("lastError", s.lastError());
        }
        return d;
    }

    private void run() {
        try {
            while (running) {
                boolean more = false;
                try {
                    more = round();
                } catch (Throwable e) { // the loop must outlive anything a round throws, or nothing is published again
                    LOG.warnf("%s round failed: %s; the rows stay and are retried", settings.name(), describe(e));
                    LOG.debug("the round's failure", e);
                    remember(describe(e));
                    closeListener();
                }
                if (!more) {
                    wake.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
                wake.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeListener();
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
            Status s = status;
            status = new Status(false, s.backlog(), s.failed(), s.oldestPublishableAgeSeconds(), s.relays(),
                    s.slotsCovered(), Set.of(), s.kafkaReachable(), s.lastRoundFinished(), s.lastError());
        }
    }

    /** One round; true when a full batch was published and more may be waiting. */
    private boolean round() {
        roundError = null;
        ensureListener();
        if (!topicsReady && topicSetupAttempts < 3) {
            topicSetupAttempts++;
            topicsReady = topicSetup.getAsBoolean();
            if (!topicsReady && topicSetupAttempts < 3) {
                return false;
            }
        }
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig(), new StringSerializer(), new ByteArraySerializer());
        }
        int count = publishBatch();
        refreshStatus(roundError);
        return count >= settings.batchSize();
    }

    private int publishBatch() {
        SqlConnection conn = pool.getConnection().await().atMost(DB_TIMEOUT);
        try {
            Transaction tx = conn.begin().await().atMost(DB_TIMEOUT);
            try {
                int count = publishBatch(conn);
                tx.commit().await().atMost(DB_TIMEOUT);
                return count;
            } catch (RuntimeException e) {
                rollbackQuietly(tx);
                throw e;
            }
        } finally {
            conn.closeAndAwait();
        }
    }

    private int publishBatch(SqlConnection conn) {
        // a relay cut off mid-round (network, frozen process) must not keep its slots from the others for long
        conn.query("set local idle_in_transaction_session_timeout = " + (sendTimeout.toMillis() + 30_000))
                .execute().await().atMost(DB_TIMEOUT);
        Integer[] slots = lockFreeSlots(conn);
        slotsSinceHeartbeat.addAll(List.of(slots));
        if (slots.length == 0) {
            return 0;
        }
        // rows not held back: no failed row of the same subject comes before them
        RowSet<Row> fresh = conn.preparedQuery("select " + COLUMNS + " from " + settings.table() + " o"
                        + " where published_at is null and publish_error is null and slot = any($1::smallint[])"
                        + " and not exists (select 1 from " + settings.table() + " f where f.published_at is null"
                        + "   and f.publish_error is not null and f.tenant_id = o.tenant_id and f.subject_id = o.subject_id"
                        + "   and f.id < o.id)"
                        + " order by id limit $2")
                .execute(Tuple.of(slots, settings.batchSize())).await().atMost(DB_TIMEOUT);
        // failed rows are retried each round, each only once it is the oldest unpublished row of its subject
        RowSet<Row> failed = conn.preparedQuery("select " + COLUMNS + " from " + settings.table() + " o"
                        + " where published_at is null and publish_error is not null and slot = any($1::smallint[])"
                        + " and not exists (select 1 from " + settings.table() + " e where e.published_at is null"
                        + "   and e.slot = o.slot and e.tenant_id = o.tenant_id and e.subject_id = o.subject_id and e.id < o.id)"
                        + " order by id limit $2")
                .execute(Tuple.of(slots, FAILED_ROWS_PER_ROUND)).await().atMost(DB_TIMEOUT);
        TreeMap<Long, OutboxRow> rows = new TreeMap<>();
        for (Row r : fresh) {
            OutboxRow row = row(r);
            rows.put(row.id(), row);
        }
        for (Row r : failed) {
            OutboxRow row = row(r);
            rows.put(row.id(), row);
        }
        if (rows.isEmpty()) {
            return 0;
        }
        return send(conn, rows, fresh.size());
    }

    /**
     * Takes up to this relay's share of the free slots (all of them when it runs alone), starting at a
     * place that moves every round, so relays running side by side publish in parallel and every slot
     * comes round even while a relay that just died is still counted.
     */
    private Integer[] lockFreeSlots(SqlConnection conn) {
        int relays = Math.max(1, status.relays());
        int share = -Math.floorDiv(-settings.slots(), relays);
        int offset = (int) Math.floorMod(rounds++ * (long) share, settings.slots());
        List<Integer> slots = new ArrayList<>(share);
        // LIMIT stops the scan once the share is locked: no lock is taken beyond it
        for (Row r : conn.preparedQuery("""
                        select s from (select (g + $3) % $1 as s from generate_series(0, $1 - 1) as g) as slots
                        where pg_try_advisory_xact_lock($2::bigint + s) limit $4""")
                .execute(Tuple.of(settings.slots(), settings.lockBase(), offset, share)).await().atMost(DB_TIMEOUT)) {
            slots.add(r.getInteger("s"));
        }
        return slots.toArray(Integer[]::new);
    }

    /** Sends in id order; marks published exactly the rows acknowledged with nothing of their subject failing before them. */
    private int send(SqlConnection conn, TreeMap<Long, OutboxRow> rows, int freshCount) {
        Map<Long, List<CompletableFuture<Void>>> acks = new LinkedHashMap<>();
        Map<Long, String> failures = new LinkedHashMap<>(); // rows to mark failed, with the cause
        Set<String> heldBack = new HashSet<>(); // subjects with a failed row earlier in this batch: their later rows wait
        boolean kafkaAway = false;
        for (OutboxRow row : rows.values()) {
            if (kafkaAway) {
                break; // the rest stay for the next round, in order: no round waits max.block.ms once per row
            }
            if (heldBack.contains(row.subjectKey())) {
                continue;
            }
            List<ProducerRecord<String, byte[]>> records;
            try {
                records = mapper.records(row);
            } catch (Exception e) {
                failures.put(row.id(), "cannot be turned into a Kafka record: " + describe(e));
                heldBack.add(row.subjectKey());
                continue;
            }
            List<CompletableFuture<Void>> rowAcks = new ArrayList<>(records.size());
            for (ProducerRecord<String, byte[]> record : records) {
                CompletableFuture<Void> ack = new CompletableFuture<>();
                try {
                    producer.send(record, (meta, error) -> {
                        if (error != null) {
                            ack.completeExceptionally(error);
                        } else {
                            ack.complete(null);
                        }
                    });
                } catch (RuntimeException e) { // e.g. a record above the producer's size limit, or no metadata in time
                    ack.completeExceptionally(e);
                }
                rowAcks.add(ack);
                // a send that failed at once with a retriable error found no metadata within max.block.ms: Kafka is away
                if (ack.isCompletedExceptionally() && firstError(List.of(ack)) instanceof RetriableException) {
                    kafkaAway = true;
                    break;
                }
            }
            acks.put(row.id(), rowAcks);
        }
        awaitAll(acks);

        List<Long> done = new ArrayList<>();
        Set<String> transientlyFailed = new HashSet<>();
        Throwable lastTransient = null;
        for (Map.Entry<Long, List<CompletableFuture<Void>>> e : acks.entrySet()) {
            OutboxRow row = rows.get(e.getKey());
            Throwable error = firstError(e.getValue());
            if (transientlyFailed.contains(row.subjectKey()) || failures.containsKey(row.id())) {
                continue;
            }
            if (error == null) {
                done.add(row.id());
            } else if (error instanceof RetriableException) {
                transientlyFailed.add(row.subjectKey()); // Kafka is away: retried as is next round
                lastTransient = error;
            } else {
                failures.put(row.id(), "refused by Kafka: " + describe(error));
                transientlyFailed.add(row.subjectKey());
            }
        }
        if (!done.isEmpty()) {
            conn.preparedQuery("update " + settings.table() + " set published_at = now(), publish_error = null where id = any($1)")
                    .execute(Tuple.of(done.toArray(Long[]::new))).await().atMost(DB_TIMEOUT);
            published.addAndGet(done.size());
            done.forEach(reportedFailures::remove);
        }
        for (Map.Entry<Long, String> f : failures.entrySet()) {
            conn.preparedQuery("update " + settings.table() + " set publish_error = $2 where id = $1")
                    .execute(Tuple.of(f.getKey(), f.getValue())).await().atMost(DB_TIMEOUT);
            OutboxRow row = rows.get(f.getKey());
            if (!f.getValue().equals(reportedFailures.put(f.getKey(), f.getValue()))) {
                publishFailures.increment();
                LOG.errorf("%s cannot publish outbox row %d (event %s, subject %s): %s; that subject's later rows wait for it, "
                                + "every other subject goes on", settings.name(), row.id(), row.eventId(), row.subjectKey(), f.getValue());
            }
        }
        if (lastTransient != null) {
            roundError = "Kafka did not acknowledge: " + describe(lastTransient);
            LOG.warnf("%s: Kafka did not acknowledge %d subjects' rows (%s); they stay and are retried",
                    settings.name(), transientlyFailed.size(), describe(lastTransient));
        }
        // a round where Kafka failed must not spin: only report "more" when the fresh batch was full and went out
        return lastTransient == null ? freshCount : 0;
    }

    private void awaitAll(Map<Long, List<CompletableFuture<Void>>> acks) {
        CompletableFuture<?>[] all = acks.values().stream().flatMap(List::stream).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(all).get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException | TimeoutException e) {
            // per-row outcomes are read below; an unfinished one counts as not acknowledged
            for (CompletableFuture<?> f : all) {
                f.completeExceptionally(new org.apache.kafka.common.errors.TimeoutException("no acknowledgement in " + sendTimeout));
            }
        }
    }

    private static Throwable firstError(List<CompletableFuture<Void>> acks) {
        for (CompletableFuture<Void> f : acks) {
            if (f.isCompletedExceptionally()) {
                try {
                    f.join();
                } catch (RuntimeException e) {
                    return e.getCause() != null ? e.getCause() : e;
                }
            }
        }
        return null;
    }

    /** Refreshes the status; the database part at most once per poll interval. {@code error}: this round's, or null. */
    private void refreshStatus(String error) {
        Instant now = Instant.now();
        boolean heartbeatDue = Duration.between(lastHeartbeat, now).compareTo(settings.pollInterval()) >= 0;
        if (!heartbeatDue) {
            Status s = status;
            status = new Status(true, s.backlog(), s.failed(), s.oldestPublishableAgeSeconds(), s.relays(), s.slotsCovered(),
                    s.slotsLastRound(), s.kafkaReachable(), now, error);
            return;
        }
        Integer[] slots = slotsSinceHeartbeat.toArray(Integer[]::new);
        String table = settings.table();
        pool.preparedQuery("insert into " + table + "_relay (instance, seen_at, slots) values ($1, now(), $2::smallint[])"
                        + " on conflict (instance) do update set seen_at = excluded.seen_at, slots = excluded.slots")
                .execute(Tuple.of(instance, slots)).await().atMost(DB_TIMEOUT);
        lastHeartbeat = now;
        slotsSinceHeartbeat.clear();
        Row live = pool.preparedQuery("""
                        select count(*) as relays,
                               (select count(distinct s) from %1$s_relay r2, unnest(r2.slots) s
                                 where r2.seen_at > now() - make_interval(secs => $1)) as covered
                        from %1$s_relay where seen_at > now() - make_interval(secs => $1)""".formatted(table))
                .execute(Tuple.of((double) settings.heartbeatWindow().toMillis() / 1000)).await().atMost(DB_TIMEOUT)
                .iterator().next();
        pool.query("delete from " + table + "_relay where seen_at < now() - interval '1 day'").execute().await().atMost(DB_TIMEOUT);
        Row backlog = pool.query("""
                        select count(*) filter (where publish_error is null) as backlog,
                               count(*) filter (where publish_error is not null) as failed
                        from %s where published_at is null""".formatted(table))
                .execute().await().atMost(DB_TIMEOUT).iterator().next();
        Row oldest = pool.query("""
                        select coalesce(extract(epoch from now() - min(created_at)), 0) as age from %1$s o
                        where published_at is null and publish_error is null
                          and not exists (select 1 from %1$s f where f.published_at is null and f.publish_error is not null
                                          and f.tenant_id = o.tenant_id and f.subject_id = o.subject_id and f.id < o.id)"""
                        .formatted(table))
                .execute().await().atMost(DB_TIMEOUT).iterator().next();
        double age = oldest.getNumeric("age").doubleValue();
        Boolean kafka = status.kafkaReachable();
        if (age > settings.stuckAfter().toSeconds()) {
            kafka = kafkaAnswers(); // only asked when it matters: is the backlog Kafka's fault or ours?
        } else if (age < settings.pollInterval().toSeconds() + 1) {
            kafka = null; // nothing waits: not asked
        }
        Status s = status;
        status = new Status(true, backlog.getLong("backlog"), backlog.getLong("failed"), age,
                live.getLong("relays").intValue(), live.getLong("covered").intValue(), Set.of(slots), kafka, now, error);
    }

    private boolean kafkaAnswers() {
        try {
            if (admin == null) {
                Map<String, Object> a = new HashMap<>(kafkaConnection);
                a.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.name() + "-check");
                a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
                a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
                admin = Admin.create(a);
            }
            return !admin.describeCluster().nodes().get(6, TimeUnit.SECONDS).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private void remember(String error) {
        Status s = status;
        status = new Status(s.running(), s.backlog(), s.failed(), s.oldestPublishableAgeSeconds(), s.relays(),
                s.slotsCovered(), s.slotsLastRound(), s.kafkaReachable(), Instant.now(), error);
    }

    /** LISTENs for the channel on a connection of its own; only this thread connects, so there is at most one. */
    private void ensureListener() {
        if (listener.get() != null) {
            return;
        }
        try {
            PgConnection conn = PgConnection.connect(vertx, listenOptions).await().atMost(DB_TIMEOUT);
            conn.notificationHandler(n -> wake());
            conn.closeHandler(() -> listener.compareAndSet(conn, null));
            conn.query("LISTEN " + settings.channel()).execute().await().atMost(DB_TIMEOUT);
            if (!listener.compareAndSet(null, conn)) {
                conn.closeAndForget();
            }
        } catch (RuntimeException e) {
            // rounds still run every poll interval; only the wake-up on commit is missing until it reconnects
            LOG.warnf("%s cannot LISTEN on %s (%s); polling until it can", settings.name(), settings.channel(), describe(e));
        }
    }

    private void closeListener() {
        PgConnection c = listener.getAndSet(null);
        if (c != null) {
            c.closeAndForget();
        }
    }

    private Map<String, Object> producerConfig() {
        Map<String, Object> p = new HashMap<>(kafkaConnection);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.name());
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

    private static OutboxRow row(Row r) {
        return new OutboxRow(r.getLong("id"), r.getInteger("slot"), r.getString("tenant_id"), r.getString("subject_id"),
                r.getLong("subject_seq"), r.getUUID("event_id"), r.getString("event_type"), r.getString("payload"),
                r.getString("traceparent"), r.getOffsetDateTime("created_at"));
    }

    private static void rollbackQuietly(Transaction tx) {
        try {
            tx.rollback().await().atMost(DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debugf("rollback failed (%s); closing the connection ends the transaction", e.getMessage());
        }
    }

    /** The real cause, never "(null)": the exception's class when it has no message. */
    static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : t.getClass().getSimpleName() + ": " + message;
    }
}
