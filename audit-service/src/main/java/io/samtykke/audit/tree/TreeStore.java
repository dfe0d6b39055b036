package io.samtykke.audit.tree;

import io.samtykke.audit.verifier.MerkleTree;
import io.samtykke.audit.verifier.NodeId;
import io.samtykke.audit.verifier.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A tenant's stored tree: leaf hashes (in {@code audit_entry}), complete subtrees above them
 * ({@code merkle_node}) and signed checkpoints. Any root or proof up to the latest checkpoint reads
 * O(log n) stored hashes in two queries.
 */
@ApplicationScoped
public class TreeStore {

    @Inject
    Pool pool;

    @Inject
    LogSigner signer;

    /** A signed checkpoint as stored and served. */
    public record StoredCheckpoint(long size, byte[] root, String note) {
    }

    /** The hashes of these complete subtrees; every one of them must be stored. */
    public Uni<Map<NodeId, byte[]>> hashes(SqlClient client, String tenant, Collection<NodeId> nodes) {
        List<Long> leaves = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Long> indexes = new ArrayList<>();
        for (NodeId n : nodes) {
            if (n.level() == 0) {
                leaves.add(n.index());
            } else {
                levels.add(n.level());
                indexes.add(n.index());
            }
        }
        Uni<Map<NodeId, byte[]>> leafHashes = leaves.isEmpty() ? Uni.createFrom().item(Map.of())
                : client.preparedQuery("select seq, leaf_hash from audit_entry where tenant_id = $1 and seq = any($2)")
                .execute(Tuple.of(tenant, leaves.toArray(Long[]::new)))
                .map(rows -> collect(rows, r -> new NodeId(0, r.getLong("seq")), "leaf_hash"));
        Uni<Map<NodeId, byte[]>> nodeHashes = levels.isEmpty() ? Uni.createFrom().item(Map.of())
                : client.preparedQuery("""
                        select n.level, n.idx, n.hash from merkle_node n
                        join unnest($2::int[], $3::bigint[]) as wanted(level, idx) on n.level = wanted.level and n.idx = wanted.idx
                        where n.tenant_id = $1""")
                .execute(Tuple.of(tenant, levels.toArray(Integer[]::new), indexes.toArray(Long[]::new)))
                .map(rows -> collect(rows, r -> new NodeId(r.getInteger("level"), r.getLong("idx")), "hash"));
        return leafHashes.flatMap(l -> nodeHashes.map(n -> {
            Map<NodeId, byte[]> all = new HashMap<>(l);
            all.putAll(n);
            for (NodeId wanted : nodes) {
                if (!all.containsKey(wanted)) {
                    throw new IllegalStateException("subtree " + wanted + " of tenant " + tenant + " is not stored");
                }
            }
            return all;
        }));
    }

    /** The proof's hashes in order; the tree must be checkpointed at least up to the plan's ranges. */
    public Uni<List<byte[]>> proof(String tenant, ProofPlan plan) {
        return hashes(pool, tenant, plan.nodes()).map(stored -> plan.hashes(stored::get));
    }

    public Uni<Optional<StoredCheckpoint>> latest(SqlClient client, String tenant) {
        return client.preparedQuery("""
                        select tree_size, root_hash, note from audit_checkpoint where tenant_id = $1
                        order by tree_size desc limit 1""")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(checkpoint(rows.iterator().next())));
    }

    /** The latest checkpoint, or, before the first entry is checkpointed, the signed checkpoint of the empty tree. */
    public Uni<StoredCheckpoint> latestOrEmpty(String tenant) {
        return latest(pool, tenant).flatMap(c -> c.isPresent() ? Uni.createFrom().item(c.get())
                : atSize(tenant, 0).map(Optional::orElseThrow));
    }

    public Uni<Optional<StoredCheckpoint>> atSize(String tenant, long size) {
        if (size == 0) {
            byte[] root = MerkleTree.emptyRoot();
            return Uni.createFrom().item(Optional.of(new StoredCheckpoint(0, root, signer.sign(tenant, 0, root))));
        }
        return pool.preparedQuery("select tree_size, root_hash, note from audit_checkpoint where tenant_id = $1 and tree_size = $2")
                .execute(Tuple.of(tenant, size))
                .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(checkpoint(rows.iterator().next())));
    }

    private static StoredCheckpoint checkpoint(Row r) {
        return new StoredCheckpoint(r.getLong("tree_size"), r.getBuffer("root_hash").getBytes(), r.getString("note"));
    }

    private static Map<NodeId, byte[]> collect(Iterable<Row> rows, Function<Row, NodeId> id, String column) {
        Map<NodeId, byte[]> out = new HashMap<>();
        for (Row r : rows) {
            out.put(id.apply(r), r.getBuffer(column).getBytes());
        }
        return out;
    }
}
