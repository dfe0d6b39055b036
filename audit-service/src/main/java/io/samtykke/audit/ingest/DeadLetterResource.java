package io.samtykke.audit.ingest;

import io.samtykke.kit.deadletter.DeadLetterRequests;
import io.samtykke.kit.deadletter.DeadLetterTable;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;


/** The records of the tenant the log could not keep: list them, and replay one after a fix. */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Dead letters", description = "Records the log could not admit or store, kept as received")
public class DeadLetterResource {

    public record ReplayAnswer(long id, boolean stored) {
    }

    @Inject
    DeadLetterTable table;

    @Inject
    EventIngest ingest;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed({Caller.AUDITOR, Caller.ADMIN})
    @Operation(summary = "The tenant's dead letters, oldest first", description = DeadLetterRequests.PAGE_DESCRIPTION)
    @APIResponse(responseCode = "200", description = DeadLetterRequests.PAGE_ANSWER)
    public Uni<DeadLetterTable.Page> list(@QueryParam("after") String after, @QueryParam("limit") String limit, @QueryParam("all") String all) {
        return DeadLetterRequests.page(table, callers.current().tenant(), after, limit, all);
    }

    @POST
    @Path("{id}/replay")
    @Blocking
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Run a dead letter through admission and storing again",
            description = "After the cause was fixed: the record becomes a log entry (or is found already logged) and is"
                    + " marked replayed. Still refused: 422 with the reason, and the dead letter stays.")
    @APIResponse(responseCode = "200", description = "Stored")
    @APIResponse(responseCode = "404", description = "No such dead letter in this tenant")
    @APIResponse(responseCode = "422", description = "Still refused")
    public ReplayAnswer replay(@PathParam("id") String id) {
        long n = DeadLetterRequests.replay(table, callers.current().tenant(), id, letter -> {
            EventIngest.Replay replay = ingest.replay(letter);
            return replay.stored() ? null : replay.reason();
        });
        return new ReplayAnswer(n, true);
    }
}
