package io.samtykke.audit.tree;

import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Optional;

@Path("/v1")
@Tag(name = "Checkpoints", description = "Signed tree heads of the tenant's log (C2SP tlog-checkpoint, Ed25519 signed note)")
@RolesAllowed(Caller.AUDITOR)
public class CheckpointResource {

    static final String TEXT = "text/plain; charset=utf-8";

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    Callers callers;

    @GET
    @Path("checkpoint")
    @Produces(TEXT)
    @Operation(summary = "The latest signed checkpoint of the tenant's log, or the one of a given tree size",
            description = "A C2SP tlog-checkpoint signed note: origin, tree size, base64 root hash, an empty line and the"
                    + " Ed25519 signature line. Every checkpoint ever signed is kept; a checkpoint follows new entries within"
                    + " a second. Before the first entry, the checkpoint of the empty tree.")
    @APIResponse(responseCode = "200", description = "The signed note", content = @Content(mediaType = TEXT))
    @APIResponse(responseCode = "404", description = "No checkpoint of that size was signed")
    public Uni<String> checkpoint(@Parameter(description = "Tree size of a checkpoint signed earlier") @QueryParam("size") String size) {
        Caller caller = callers.current();
        Optional<Long> wanted = QueryParams.wholeNumber(size, "size");
        if (wanted.isEmpty()) {
            return store.latestOrEmpty(caller.tenant()).map(TreeStore.StoredCheckpoint::note);
        }
        return store.atSize(caller.tenant(), wanted.get()).map(c -> c.orElseThrow(() -> new ProblemException(CommonProblem.NOT_FOUND,
                "no checkpoint of tree size " + wanted.get() + " was signed; GET /v1/checkpoint gives the latest")).note());
    }

    @GET
    @Path("public-key")
    @Produces(TEXT)
    @Operation(summary = "The verifier key of the tenant's log",
            description = "<origin>+<key ID as 8 hex digits>+<base64(0x01 || Ed25519 public key)>, the C2SP signed-note"
                    + " verifier key that checks this tenant's checkpoints (and the offline verifier's --key).")
    @APIResponse(responseCode = "200", description = "The verifier key", content = @Content(mediaType = TEXT))
    public String publicKey() {
        return signer.verifierKey(callers.current().tenant()) + "\n";
    }
}
