package io.samtykke.audit.export;

import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.tree.TreeStore;
import io.samtykke.audit.verifier.NodeId;
import io.samtykke.audit.verifier.ProofPlan;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Inclusion proofs of several entries against one tree size, from one read of the stored subtrees they need. */
@ApplicationScoped
public class InclusionProofs {

    @Inject
    TreeStore store;

    @Inject
    Pool pool;

    /** Each entry with its inclusion proof; every entry's seq must be below {@code treeSize}. */
    public Uni<List<AuditEntry>> withProofs(String tenant, long treeSize, List<AuditEntry> entries) {
        List<ProofPlan> plans = entries.stream().map(e -> ProofPlan.inclusion(e.seq(), treeSize)).toList();
        Set<NodeId> nodes = new LinkedHashSet<>();
        plans.forEach(p -> nodes.addAll(p.nodes()));
        return store.hashes(pool, tenant, nodes).map(stored -> {
            List<AuditEntry> proven = new ArrayList<>(entries.size());
            for (int i = 0; i < entries.size(); i++) {
                proven.add(entries.get(i).withInclusionProof(plans.get(i).hashes(stored::get).stream()
                        .map(h -> Base64.getEncoder().encodeToString(h)).toList()));
            }
            return proven;
        });
    }
}
