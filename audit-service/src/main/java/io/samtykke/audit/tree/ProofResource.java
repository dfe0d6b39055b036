package io.samtykke.audit.tree;

import io.samtykke.audit.verifier.NodeId;
import io.samtykke.audit.verifier.ProofPlan;
import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

@Path("/v1/proofs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Proofs", description = "RFC 9162 inclusion and consistency proofs of the tenant's log")
@RolesAllowed(Caller.AUDITOR)
public class ProofResource {

    @Inject
    TreeStore store;

    @Inject
    Pool pool;

    @Inject
    Callers callers;

    public record InclusionProof(
            long leafIndex,
            long treeSize,
            @Schema(description = "SHA-256(0x00 || entry bytes), base64") String leafHash,
            @Schema(description = "PATH(leafIndex, D[0:treeSize]) of RFC 9162 2.1.3.1: base64 hashes from the leaf up")
            List<String> hashes) {
    }

    public record ConsistencyProof(
            long fromSize,
            long toSize,
            @Schema(description = "PROOF(fromSize, D[0:toSize]) of RFC 9162 2.1.4.1, base64; empty for equal sizes")
            List<String> hashes) {
    }

    @GET
    @Path("inclusion")
    @Operation(summary = "Proof that an entry is in the tenant's tree of a given size",
            description = "Name the entry by index (its seq) or by eventId. Verify with the checkpoint of treeSize.")
    @APIResponse(responseCode = "200", description = "The proof")
    @APIResponse(responseCode = "400", description = "Bad parameters, or a tree size beyond the latest checkpoint")
    @APIResponse(responseCode = "404", description = "No entry with that event id")
    public Uni<InclusionProof> inclusion(
            @Parameter(description = "The entry's seq (leaf index)") @QueryParam("index") String index,
            @Parameter(description = "Or the entry's event id") @QueryParam("eventId") String eventId,
            @Parameter(description = "Tree size to prove against; default: the latest checkpoint's") @QueryParam("treeSize") String treeSize) {
        String tenant = callers.current().tenant();
        Optional<Long> byIndex = QueryParams.wholeNumber(index, "index");
        Optional<UUID> byEvent = QueryParams.uuid(eventId, "eventId");
        if (byIndex.isPresent() == byEvent.isPresent()) {
            throw QueryParams.invalid(byIndex.isPresent() ? "eventId" : "index", "give either index or eventId");
        }
        Optional<Long> size = QueryParams.wholeNumber(treeSize, "treeSize");
        Uni<Long> seq = byIndex.map(i -> Uni.createFrom().item(i)).orElseGet(() -> seqOf(tenant, byEvent.get()));
        return seq.flatMap(leaf -> treeSize(tenant, size, "treeSize").flatMap(n -> {
            if (leaf >= n) {
                throw QueryParams.invalid(byIndex.isPresent() ? "index" : "eventId", "entry " + leaf + " is not in the tree of size " + n);
            }
            ProofPlan plan = ProofPlan.inclusion(leaf, n);
            Set<NodeId> nodes = new LinkedHashSet<>(plan.nodes());
            nodes.add(new NodeId(0, leaf));
            return store.hashes(pool, tenant, nodes).map(stored -> new InclusionProof(leaf, n,
                    base64(stored.get(new NodeId(0, leaf))), plan.hashes(stored::get).stream().map(ProofResource::base64).toList()));
        }));
    }

    @GET
    @Path("consistency")
    @Operation(summary = "Proof that the tenant's tree of size from is a prefix of its tree of size to",
            description = "Verify with the checkpoints of both sizes: nothing before fromSize was changed, removed or reordered.")
    @APIResponse(responseCode = "200", description = "The proof")
    public Uni<ConsistencyProof> consistency(
            @Parameter(description = "The older tree size, at least 1") @QueryParam("from") String from,
            @Parameter(description = "The newer tree size; default: the latest checkpoint's") @QueryParam("to") String to) {
        String tenant = callers.current().tenant();
        long older = QueryParams.wholeNumber(from, "from").orElseThrow(() -> QueryParams.invalid("from", "is required"));
        if (older == 0) {
            throw QueryParams.invalid("from", "must be at least 1: every tree extends the empty one");
        }
        return treeSize(tenant, QueryParams.wholeNumber(to, "to"), "to").flatMap(newer -> {
            if (older > newer) {
                throw QueryParams.invalid("from", "must not exceed to (" + newer + ")");
            }
            return store.proof(tenant, ProofPlan.consistency(older, newer))
                    .map(hashes -> new ConsistencyProof(older, newer, hashes.stream().map(ProofResource::base64).toList()));
        });
    }

    /** The requested tree size, or the latest checkpoint's; never beyond the latest checkpoint. */
    private Uni<Long> treeSize(String tenant, Optional<Long> requested, String name) {
        return store.latestOrEmpty(tenant).map(latest -> {
            long size = requested.orElse(latest.size());
            if (size > latest.size()) {
                throw QueryParams.invalid(name, "is beyond the latest checkpoint, of size "
                        + latest.size());
            }
            return size;
        });
    }

    private Uni<Long> seqOf(String tenant, UUID eventId) {
        return pool.preparedQuery("select seq from audit_entry where tenant_id = $1 and event_id = $2")
                .execute(Tuple.of(tenant, eventId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ProblemException(CommonProblem.NOT_FOUND, "no entry of event " + eventId + " in this tenant's log");
                    }
                    return rows.iterator().next().getLong("seq");
                });
    }

    static String base64(byte[] hash) {
        return Base64.getEncoder().encodeToString(hash);
    }
}
