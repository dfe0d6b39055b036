package io.samtykke.preference.projection;

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


/** Consent events of the tenant the projection could not apply: list them, and replay one after a fix. */
@Path("/v1/projection/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Projection dead letters", description = "Consent events the decision projection could not apply, kept as received")
@RolesAllowed(Caller.ADMIN)
public class ProjectionDeadLetterResource {

    public record ReplayAnswer(long id, boolean applied) {
    }

    @Inject
    ProjectionRecords records;

    @Inject
    Callers callers;

    @GET
    @Operation(summary = "The tenant's projection dead letters, oldest first", description = DeadLetterRequests.PAGE_DESCRIPTION)
    @APIResponse(responseCode = "200", description = DeadLetterRequests.PAGE_ANSWER)
    public Uni<DeadLetterTable.Page> list(@QueryParam("after") String after, @QueryParam("limit") String limit, @QueryParam("all") String all) {
        return DeadLetterRequests.page(records.deadLetters(), callers.current().tenant(), after, limit, all);
    }

    @POST
    @Path("{id}/replay")
    @Blocking
    @Operation(summary = "Apply a dead letter again, after the cause was fixed",
            description = "Applied (or found already applied): 200 and marked replayed. Still refused: 422 with the reason.")
    @APIResponse(responseCode = "200", description = "Applied")
    @APIResponse(responseCode = "404", description = "No such dead letter in this tenant")
    @APIResponse(responseCode = "422", description = "Still refused")
    public ReplayAnswer replay(@PathParam("id") String id) {
        return new ReplayAnswer(DeadLetterRequests.replay(records.deadLetters(), callers.current().tenant(), id, records::replay), true);
    }
}
