package io.samtykke.audit.tree;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.tree.TreeStore.StoredCheckpoint;
import io.samtykke.audit.verifier.MerkleTree;
import io.samtykke.audit.verifier.NodeId;
import io.samtykke.audit.verifier.TreeBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signs a new checkpoint for every tenant with entries not yet in one, every
 * {@code samtykke.audit.checkpoints.interval} (200 ms), so a checkpoint follows new entries well within a
 * second. Each round hashes only the new leaves onto the tree's stored right edge, stores the subtrees
 * they complete, and stores the signed checkpoint, in one transaction. Instances of the service share the
 * work: a tenant is checkpointed by whichever holds its advisory lock. Runs on a thread of its own.
 */
@ApplicationScoped
public class Checkpointer {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int NODE_INSERT_CHUNK = 10_000;

    @Inject
    Pool pool;

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    AuditConfig config;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry metrics;

    private ScheduledExecutorService executor;
    private Timer lag;
    /** Seconds since the oldest entry no checkpoint covers was stored, over all tenants; 0 when all are covered. */
    private final AtomicLong behindSeconds = new AtomicLong();

    void start(@Observes StartupEvent event) {
        lag = Timer.builder("samtykke.audit.checkpoint.lag")
                .description("From the first entry a checkpoint adds being stored to the checkpoint being stored")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        io.micrometer.core.instrument.Gauge.builder("samtykke.audit.checkpoint.behind.seconds", behindSeconds, AtomicLong::get)
                .description("Age of the oldest stored entry that no signed checkpoint covers yet (0: all covered); "
                        + "updated every checkpoint round, so it also grows while rounds fail")
                .register(metrics);
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "audit-checkpointer"));
        long interval = config.checkpoints().interval().toMillis();
        executor.scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private void round() {
        try {
            Instant now = clock.instant();
            Instant oldest = null;
            for (Map.Entry<String, Instant> pending : pendingTenants().entrySet()) {
                checkpoint(pending.getKey());
                if (pending.getValue() != null && (oldest == null || pending.getValue().isBefore(oldest))) {
                    oldest = pending.getValue();
                }
            }
            // what was uncovered at the start of this round; covered now unless a checkpoint failed or was another's
            behindSeconds.set(oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()));
        } catch (RuntimeException e) {
            Log.warnf("checkpoint round failed (%s); trying again next round", e.getMessage());
        }
    }

    /** Tenants with entries no checkpoint covers, each with when the first of those was stored. */
    private Map<String, Instant> pendingTenants() {
        Map<String, Instant> tenants = new java.util.LinkedHashMap<>();
        for (Row r : pool.query("""
                        select s.tenant_id, e.received_at from audit_sequence s
                        left join lateral (select tree_size from audit_checkpoint c where c.tenant_id = s.tenant_id
                                           order by tree_size desc limit 1) c on true
                        left join audit_entry e on e.tenant_id = s.tenant_id and e.seq = coalesce(c.tree_size, 0)
                        where s.next_seq > coalesce(c.tree_size, 0)""")
                .execute().await().atMost(TIMEOUT)) {
            OffsetDateTime received = r.getOffsetDateTime("received_at");
            tenants.put(r.getString("tenant_id"), received == null ? null : received.toInstant());
        }
        return tenants;
    }

    /** Checkpoints the tenant's entries not yet in a checkpoint (at most max-leaves of them); the new size, if any. */
    Optional<Long> checkpoint(String tenant) {
        SqlConnection conn = pool.getConnection().await().atMost(TIMEOUT);
        try {
            Transaction tx = conn.begin().await().atMost(TIMEOUT);
            try {
                Optional<Long> size = checkpoint(conn, tenant);
                tx.commit().await().atMost(TIMEOUT);
                return size;
            } catch (RuntimeException e) {
                tx.rollback().await().atMost(TIMEOUT);
                throw e;
            }
        } finally {
            conn.close().await().atMost(TIMEOUT);
        }
    }

    private Optional<Long> checkpoint(SqlConnection conn, String tenant) {
        boolean mine = conn.preparedQuery("select pg_try_advisory_xact_lock(hashtextextended('samtykke-audit-checkpoint/' || $1, 0))")
                .execute(Tuple.of(tenant)).await().atMost(TIMEOUT).iterator().next().getBoolean(0);
        if (!mine) {
            return Optional.empty();
        }
        long from = store.latest(conn, tenant).await().atMost(TIMEOUT).map(StoredCheckpoint::size).orElse(0L);
        long logged = conn.preparedQuery("select next_seq from audit_sequence where tenant_id = $1")
                .execute(Tuple.of(tenant)).await().atMost(TIMEOUT).iterator().next().getLong(0);
        if (logged <= from) {
            return Optional.empty();
        }
        long to = Math.min(logged, from + config.checkpoints().maxLeaves());

        TreeBuilder tree = edge(conn, tenant, from);
        List<NodeId> completed = new ArrayList<>();
        List<byte[]> completedHashes = new ArrayList<>();
        Instant oldest = null;
        for (Row r : conn.preparedQuery("""
                        select seq, leaf_hash, received_at from audit_entry
                        where tenant_id = $1 and seq >= $2 and seq < $3 order by seq""")
                .execute(Tuple.of(tenant, from, to)).await().atMost(TIMEOUT)) {
            if (r.getLong("seq") != tree.size()) {
                throw new IllegalStateException("tenant " + tenant + " has no entry " + tree.size() + " below seq " + to);
            }
            if (oldest == null) {
                oldest = r.getOffsetDateTime("received_at").toInstant();
            }
            tree.append(r.getBuffer("leaf_hash").getBytes(), (node, hash) -> {
                completed.add(node);
                completedHashes.add(hash);
            });
        }
        if (tree.size() != to) {
            throw new IllegalStateException("tenant " + tenant + " has " + tree.size() + " entries below seq " + to);
        }
        insertNodes(conn, tenant, completed, completedHashes);
        byte[] root = tree.root();
        OffsetDateTime now = OffsetDateTime.now(clock);
        conn.preparedQuery("insert into audit_checkpoint (tenant_id, tree_size, root_hash, note, created_at) values ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(tenant, to, Buffer.buffer(root), signer.sign(tenant, to, root), now))
                .await().atMost(TIMEOUT);
        lag.record(Duration.between(oldest, now.toInstant()));
        return Optional.of(to);
    }

    /** The tree of {@code size} leaves, ready to take more, from the stored subtrees on its right edge. */
    private TreeBuilder edge(SqlConnection conn, String tenant, long size) {
        if (size == 0) {
            return new TreeBuilder();
        }
        List<NodeId> edge = MerkleTree.subtrees(0, size);
        Map<NodeId, byte[]> hashes = store.hashes(conn, tenant, edge).await().atMost(TIMEOUT);
        return new TreeBuilder(size, edge.stream().map(hashes::get).toList());
    }

    private static void insertNodes(SqlConnection conn, String tenant, List<NodeId> nodes, List<byte[]> hashes) {
        for (int start = 0; start < nodes.size(); start += NODE_INSERT_CHUNK) {
            int end = Math.min(nodes.size(), start + NODE_INSERT_CHUNK);
            Integer[] levels = new Integer[end - start];
            Long[] indexes = new Long[end - start];
            Buffer[] values = new Buffer[end - start];
            for (int i = start; i < end; i++) {
                levels[i - start] = nodes.get(i).level();
                indexes[i - start] = nodes.get(i).index();
                values[i - start] = Buffer.buffer(hashes.get(i));
            }
            conn.preparedQuery("""
                            insert into merkle_node (tenant_id, level, idx, hash)
                            select $1, level, idx, hash from unnest($2::int[], $3::bigint[], $4::bytea[]) as n(level, idx, hash)""")
                    .execute(Tuple.of(tenant, levels, indexes, values))
                    .await().atMost(TIMEOUT);
        }
    }
}
