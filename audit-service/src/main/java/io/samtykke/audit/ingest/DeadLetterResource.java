package io.samtykke.audit.ingest;

import io.samtykke.audit.problem.QueryParams;
import io.samtykke.kit.deadletter.DeadLetterTable;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
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
import org.eclipse.microprofile.openapi.annotations.media.Content;
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
    @Operation(summary = "The tenant's dead letters, oldest first",
            description = "Each with its topic, partition, offset, event id and type (as the record claimed), the reason"
                    + " and the raw value (base64). Without all=true only those not replayed yet.")
    @APIResponse(responseCode = "200", description = "One page; nextAfter is absent on the last")
    @APIResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    public Uni<DeadLetterTable.Page> list(@QueryParam("after") String after, @QueryParam("limit") String limit, @QueryParam("all") String all) {
        Caller caller = callers.current();
        long afterId = QueryParams.wholeNumber(after, "after").orElse(0L);
        int n = QueryParams.wholeNumber(limit, "limit").orElse(100L).intValue();
        if (n < 1 || n > 500) {
            throw QueryParams.invalid("limit", "must be 1-500");
        }
        if (all != null && !all.equals("true") && !all.equals("false")) {
            throw QueryParams.invalid("all", "must be true or false");
        }
        return table.page(caller.tenant(), afterId, n, "true".equals(all));
    }

    @POST
    @Path("{id}/replay")
    @Blocking
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Run a dead letter through admission and storing again",
            description = "After the cause was fixed: the record becomes a log entry (or is found already logged) and is"
                    + " marked replayed. Still refused: 422 with the reason, and the dead letter stays.")
    @APIResponse(responseCode = "200", description = "Stored")
    @APIResponse(responseCode = "404", description = "No such dead letter in this tenant",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "422", description = "Still refused", content = @Content(mediaType = "application/problem+json"))
    public ReplayAnswer replay(@PathParam("id") String id) {
        Caller caller = callers.current();
        long n = QueryParams.wholeNumber(id, "id").orElseThrow();
        DeadLetterTable.Stored letter = table.get(caller.tenant(), n).await().indefinitely()
                .orElseThrow(() -> new ProblemException(CommonProblem.NOT_FOUND, "no dead letter " + n));
        if (letter.view().replayedAt() != null) {
            return new ReplayAnswer(n, true);
        }
        EventIngest.Replay replay = ingest.replay(letter);
        if (!replay.stored()) {
            throw new ProblemException(CommonProblem.STILL_REFUSED, replay.reason());
        }
        return new ReplayAnswer(n, true);
    }
}
