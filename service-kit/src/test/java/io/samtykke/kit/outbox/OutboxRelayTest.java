package io.samtykke.kit.outbox;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.TopicReader;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay against a real PostgreSQL and a real Kafka broker: every committed row reaches Kafka, one
 * subject's rows in order, whatever the timing of start-up, wake-ups, other relays or bad rows.
 */
class OutboxRelayTest {

    private static final String DATABASE = "service_kit";
    private static final long LOCK_BASE = 0x6B69_0000L;
    private static final int SLOTS = 16;

    private static final Database DB = Database.of(DATABASE);
    private static PostgresServer pg;
    private static KafkaBroker kafka;

    private final List<Runnable> cleanup = new ArrayList<>();
    private String table;
    private String topic;

    @BeforeAll
    static void infrastructure() {
        pg = PostgresServer.shared();
        pg.ensureDatabase(DATABASE);
        kafka = KafkaBroker.shared();
    }

    @AfterEach
    void tearDown() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
    }

    @Test
    void aSlowTopicSetupAndAStormOfWakeUpsLeaveOneRelayPublishingEveryRowOfEverySlot() throws Exception {
        newOutbox();
        int rows = 2_000;
        insertRows(rows, 400, "ok");
        AtomicBoolean setupRan = new AtomicBoolean();
        Instance relay = instance(() -> {
            sleep(3_000); // a new broker's first topic creation is slow
            setupRan.set(true);
            return true;
        }, OutboxRelayTest::mapped);
        relay.relay.start();
        relay.relay.start(); // a second start is a no-op, not a second relay
        List<Thread> stormers = new ArrayList<>();
        AtomicBoolean storm = new AtomicBoolean(true);
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                while (storm.get()) {
                    relay.relay.wake();
                }
            });
            th.start();
            stormers.add(th);
        }
        // while it starts up and drains: never more than one session of this relay holding its slot locks,
        // never more than one LISTEN connection, and no advisory lock outliving a transaction
        AtomicLong maxLockHolders = new AtomicLong();
        AtomicLong maxListeners = new AtomicLong();
        try (Connection c = DB.connect()) {
            // the most seen so far: once over one, never again within limits, so the 6 s cannot complete
            await("for 6 s, one session at a time holds the relay's slot locks and one LISTEN connection is open")
                    .during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).pollInSameThread()
                    .pollInterval(Duration.ofMillis(20)).until(() -> {
                        maxLockHolders.accumulateAndGet(lockHolders(c), Math::max);
                        maxListeners.accumulateAndGet(Database.count(c,
                                "select count(*) from pg_stat_activity where application_name = '" + relayName() + "'"), Math::max);
                        return maxLockHolders.get() <= 1 && maxListeners.get() <= 1;
                    });
        } finally {
            storm.set(false);
            for (Thread th : stormers) {
                th.join();
            }
        }
        assertTrue(setupRan.get(), "the topic setup ran before publishing");
        assertEquals(1, maxListeners.get(), "exactly one LISTEN connection");

        List<ConsumerRecord<String, byte[]>> records = read(rows, Duration.ofSeconds(30));
        assertExactlyOnceInOrder(records, rows);
        awaitTrue(() -> relay.relay.status().slotsCovered() == SLOTS && relay.relay.status().relays() == 1,
                "the relay reports itself as the one relay covering all 16 slots: " + relay.relay.status());
        try (Connection c = DB.connect()) {
            assertEquals(0, Database.count(c, "select count(*) from " + table + " where published_at is null"), "nothing left behind");
        }
    }

    @Test
    void twoRelaysNeverPublishARowTwiceAndWhenOneDiesTheOtherPublishesEverySlotWithinTenSeconds() throws Exception {
        newOutbox();
        Instance a = instance(() -> true, OutboxRelayTest::mapped);
        Instance b = instance(() -> true, OutboxRelayTest::mapped);
        a.relay.start();
        b.relay.start();
        int first = 1_000;
        insertRows(first, 300, "ok");
        List<ConsumerRecord<String, byte[]>> records = read(first, Duration.ofSeconds(30));
        assertExactlyOnceInOrder(records, first);
        awaitTrue(() -> a.relay.status().relays() == 2 && b.relay.status().relays() == 2, "each relay counts the other");
        long byA = a.published();
        long byB = b.published();
        assertEquals(first, byA + byB, "each row was published by exactly one relay (a " + byA + ", b " + byB + ")");

        // b dies as kill -9 would leave it: its connections drop, nothing is handed over
        b.kill();
        insertRows(500, 300, "after");
        // what b sent but never marked comes again (same id); nothing is missing, within 10 s
        assertExactlyOnceOrRepeated(readDistinct(first + 500, Duration.ofSeconds(10)), first + 500);
        awaitTrue(() -> a.relay.status().slotsLastRound().size() == SLOTS || a.relay.status().slotsCovered() == SLOTS,
                "the survivor covers every slot: " + a.relay.status());
        awaitTrue(() -> a.relay.status().relays() == 1, "the dead relay is no longer counted: " + a.relay.status());
    }

    @Test
    void aSlotLockedByAnotherInstanceMidBatchIsLeftToItUntilItsTransactionEnds() throws Exception {
        newOutbox();
        String held = subjectInSlot(5);
        String free = subjectInSlot(6);
        try (Connection other = DB.connect()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + (LOCK_BASE + 5) + ")");
            }
            insertRow(held, 1, "ok");
            insertRow(free, 1, "ok");
            Instance relay = instance(() -> true, OutboxRelayTest::mapped);
            relay.relay.start();
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
                reader.await(r -> r.key().endsWith("/" + free), 1, Duration.ofSeconds(20));
                assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream().filter(r -> r.key().endsWith("/" + held)).count(),
                        "the other instance's slot is not touched while it publishes");
                other.commit(); // its batch ends: the slot is free
                reader.await(r -> r.key().endsWith("/" + held), 1, Duration.ofSeconds(10));
            }
        }
    }

    @Test
    void aRowThatCannotBePublishedHoldsBackOnlyItsOwnSubjectAndIsReportedWithItsCause() throws Exception {
        newOutbox();
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        long bad = insertRow("broken", 1, "malformed");
        insertRow("broken", 2, "ok");
        for (int i = 0; i < 20; i++) {
            insertRow("fine-" + i, 1, "ok");
            insertRow("fine-" + i, 2, "ok");
        }
        Instance relay = instance(() -> true, OutboxRelayTest::mapped, metrics);
        relay.relay.start();
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
            reader.await(r -> r.key().contains("/fine-"), 40, Duration.ofSeconds(20));
            assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream().filter(r -> r.key().endsWith("/broken")).count(),
                    "the broken subject's later row waits for the broken one");
            awaitTrue(() -> relay.relay.status().failed() == 1, "the failed row is counted: " + relay.relay.status());
            assertEquals(1.0, metrics.get("samtykke.outbox.publish.failures").counter().count());
            assertEquals(1.0, metrics.get("samtykke.outbox.failed").gauge().value());
            try (Connection c = DB.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select publish_error from " + table + " where id = " + bad)) {
                assertTrue(rs.next());
                String error = rs.getString(1);
                assertTrue(error != null && error.contains("NullPointerException"), "the real cause, not (null): " + error);
                // an operator fixes the row; it and the subject's later row go out, in order
                s.execute("update " + table + " set payload = 'ok' where id = " + bad);
            }
            List<ConsumerRecord<String, byte[]>> broken = reader.await(r -> r.key().endsWith("/broken"), 2, Duration.ofSeconds(20));
            assertEquals(List.of("1", "2"), broken.stream().map(r -> header(r, "seq")).toList());
            awaitTrue(() -> relay.relay.status().failed() == 0 && relay.relay.status().backlog() == 0,
                    "nothing failed or waiting any more: " + relay.relay.status());
        }
    }

    @Test
    void aRelayStoppedMidLoadAndStartedAgainLosesNothing() throws Exception {
        newOutbox();
        Instance relay = instance(() -> true, OutboxRelayTest::mapped);
        relay.relay.start();
        insertRows(600, 100, "ok");
        relay.relay.stop();
        insertRows(200, 100, "more");
        relay.relay.start();
        assertExactlyOnceOrRepeated(readDistinct(800, Duration.ofSeconds(30)), 800);
    }

    // --- the outbox under test -------------------------------------------------------------------------------

    private record Instance(OutboxRelay relay, Vertx vertx, Pool pool, SimpleMeterRegistry metrics) {
        long published() {
            return (long) metrics.get("samtykke.outbox.published").functionCounter().count();
        }

        void kill() {
            pool.closeAndAwait(); // its transaction (and with it any slot lock) ends with the connection
            vertx.closeAndAwait();
            relay.stop();
        }
    }

    /**
     * Kafka unreachable: a send waits up to max.block.ms (10 s) for metadata. Once per row, a round of 100 rows would
     * take 1,000 s, no status would be refreshed and every instance would look hung; the round must end after the
     * first such wait, leave every row for later, and the next rounds must keep coming.
     */
    @Test
    void whileKafkaIsAwayARoundEndsAfterOneMetadataWaitAndNothingIsMarkedPublished() throws Exception {
        newOutbox();
        int deadPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        insertRows(100, 100, "ok");
        Instance relay = instance(() -> true, OutboxRelayTest::mapped, new SimpleMeterRegistry(), "127.0.0.1:" + deadPort);
        relay.relay.start();
        java.util.Set<java.time.Instant> rounds = new java.util.HashSet<>();
        await("rounds keep finishing while Kafka is away").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    java.time.Instant last = relay.relay.status().lastRoundFinished();
                    if (last != null) {
                        rounds.add(last);
                    }
                    assertTrue(rounds.size() >= 2, "rounds finished: " + rounds + " " + relay.relay.status());
                });
        try (Connection c = DB.connect()) {
            assertEquals(100, Database.count(c, "select count(*) from " + table + " where published_at is null and publish_error is null"),
                    "every row waits, none marked published or failed");
        }
    }

    private Instance instance(BooleanSupplier setup, OutboxRelay.RecordMapper mapper) {
        return instance(setup, mapper, new SimpleMeterRegistry());
    }

    private Instance instance(BooleanSupplier setup, OutboxRelay.RecordMapper mapper, SimpleMeterRegistry metrics) {
        return instance(setup, mapper, metrics, kafka.bootstrapServers());
    }

    private Instance instance(BooleanSupplier setup, OutboxRelay.RecordMapper mapper, SimpleMeterRegistry metrics, String bootstrap) {
        Vertx vertx = Vertx.vertx();
        PgConnectOptions options = PgConnectOptions.fromUri(pg.reactiveUrl(DATABASE)).setUser(pg.user()).setPassword(pg.password());
        Pool pool = Pool.newInstance(PgBuilder.pool().connectingTo(options).with(new PoolOptions().setMaxSize(4))
                .using(vertx.getDelegate()).build());
        OutboxSettings settings = new OutboxSettings(relayName(), table, table + "_wake", LOCK_BASE, SLOTS, 100,
                Duration.ofMillis(500), Duration.ofSeconds(4));
        Map<String, Object> connection = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        OutboxRelay relay = new OutboxRelay(settings, vertx, pool, options, connection, mapper, setup, metrics);
        Instance instance = new Instance(relay, vertx, pool, metrics);
        cleanup.add(() -> {
            relay.stop();
            try {
                pool.closeAndAwait();
                vertx.closeAndAwait();
            } catch (RuntimeException ignored) {
                // already closed by kill()
            }
        });
        return instance;
    }

    private String relayName() {
        return "relay-" + table;
    }

    /** The records of one row: payload "ok"-like goes out; "malformed" fails as an unreadable row would, with no message. */
    private static List<ProducerRecord<String, byte[]>> mapped(OutboxRow row) {
        if (row.payload().equals("malformed")) {
            throw new NullPointerException();
        }
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topicOf(row), row.tenantId() + "/" + row.subjectId(),
                row.payload().getBytes(StandardCharsets.UTF_8));
        r.headers().add("id", row.eventId().toString().getBytes(StandardCharsets.UTF_8));
        r.headers().add("seq", Long.toString(row.subjectSeq()).getBytes(StandardCharsets.UTF_8));
        return List.of(r);
    }

    private static String topicOf(OutboxRow row) {
        return "kit-" + row.eventType();
    }

    private void newOutbox() throws SQLException {
        table = "outbox_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        topic = "kit-" + table;
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("""
                    create table %1$s (
                        id bigserial primary key, slot smallint not null, tenant_id text not null, subject_id text not null,
                        subject_seq bigint not null, event_id uuid not null, event_type text not null, payload text not null,
                        traceparent text, created_at timestamptz not null default now(), published_at timestamptz,
                        publish_error text);
                    create index on %1$s (slot, id) where published_at is null;
                    create index on %1$s (tenant_id, subject_id, id) where published_at is null and publish_error is not null;
                    create table %1$s_relay (instance text primary key, seen_at timestamptz not null, slots smallint[] not null);
                    """.formatted(table));
        }
        // the topic exists before any relay publishes, as the services' topic setup makes sure of: otherwise the relays'
        // first sends wait for the broker to create it on demand, racing each other and the test's reader
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
    }

    /** Rows for {@code subjects} subjects round-robin, per subject numbered 1, 2, ... after what each has. */
    private void insertRows(int count, int subjects, String payload) throws SQLException {
        try (Connection c = DB.connect()) {
            c.setAutoCommit(false);
            Map<String, Integer> seq = new LinkedHashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select subject_id, max(subject_seq) from " + table + " group by subject_id")) {
                while (rs.next()) {
                    seq.put(rs.getString(1), rs.getInt(2));
                }
            }
            for (int i = 0; i < count; i++) {
                String subject = "s" + (i % subjects);
                int n = seq.merge(subject, 1, Integer::sum);
                insert(c, subject, n, payload);
                if (i % 50 == 49) {
                    c.commit();
                    notifyRelay(c);
                }
            }
            c.commit();
            notifyRelay(c);
        }
    }

    private long insertRow(String subject, int seq, String payload) throws SQLException {
        try (Connection c = DB.connect()) {
            long id = insert(c, subject, seq, payload);
            notifyRelay(c);
            return id;
        }
    }

    private long insert(Connection c, String subject, int seq, String payload) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("insert into " + table
                + " (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload) values (?, 't', ?, ?, ?, ?, ?) returning id")) {
            ps.setInt(1, slotOf(subject));
            ps.setString(2, subject);
            ps.setInt(3, seq);
            ps.setObject(4, UUID.randomUUID());
            ps.setString(5, table);
            ps.setString(6, payload);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void notifyRelay(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("notify " + table + "_wake");
        }
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    private static int slotOf(String subject) {
        return Math.floorMod(("t/" + subject).hashCode(), SLOTS);
    }

    private static String subjectInSlot(int slot) {
        for (int i = 0; ; i++) {
            if (slotOf("in-slot-" + i) == slot) {
                return "in-slot-" + i;
            }
        }
    }

    private List<ConsumerRecord<String, byte[]>> read(int count, Duration timeout) {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
            return reader.await(r -> true, count, timeout);
        }
    }

    /** Everything on the topic once {@code count} distinct rows arrived. */
    private List<ConsumerRecord<String, byte[]>> readDistinct(int count, Duration timeout) {
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (true) {
                List<ConsumerRecord<String, byte[]>> all = reader.drain(Duration.ofMillis(200));
                long distinct = all.stream().map(r -> header(r, "id")).distinct().count();
                if (distinct >= count) {
                    return all;
                }
                assertTrue(System.currentTimeMillis() < deadline, "expected " + count + " rows within " + timeout + ", saw " + distinct);
            }
        }
    }

    /** Each row once, and per subject in the order written (seq 1, 2, 3, ...). */
    private static void assertExactlyOnceInOrder(List<ConsumerRecord<String, byte[]>> records, int rows) {
        assertEquals(rows, records.size(), "records on the topic");
        assertEquals(rows, records.stream().map(r -> header(r, "id")).collect(Collectors.toSet()).size(), "no row twice");
        assertOrdered(records);
    }

    /** After a stop mid-round a row may come twice (same id), never be missing, never out of order first-time. */
    private static void assertExactlyOnceOrRepeated(List<ConsumerRecord<String, byte[]>> records, int rows) {
        assertEquals(rows, records.stream().map(r -> header(r, "id")).collect(Collectors.toSet()).size(), "every row arrived");
        assertOrdered(records.stream().filter(new java.util.function.Predicate<ConsumerRecord<String, byte[]>>() {
            private final Set<String> seen = new java.util.HashSet<>();

            @Override
            public boolean test(ConsumerRecord<String, byte[]> r) {
                return seen.add(header(r, "id"));
            }
        }).toList());
    }

    private static void assertOrdered(List<ConsumerRecord<String, byte[]>> records) {
        Map<String, Integer> last = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            int seq = Integer.parseInt(header(r, "seq"));
            Integer before = last.put(r.key(), seq);
            assertEquals(before == null ? 1 : before + 1, seq, "order of " + r.key());
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Sessions holding one of the relay's advisory locks right now. */
    private static long lockHolders(Connection c) throws SQLException {
        return Database.count(c, "select count(distinct pid) from pg_locks where locktype = 'advisory' and granted"
                + " and ((classid::bigint << 32) | objid::bigint) between " + LOCK_BASE + " and " + (LOCK_BASE + SLOTS - 1));
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        await(what).atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
