package io.samtykke.preference.projection;

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


/** Consent events of the tenant the projection could not apply: list them, and replay one after a fix. */
@Path("/v1/projection/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Projection dead letters", description = "Consent events the decision projection could not apply, kept as received")
public class ProjectionDeadLetterResource {

    public record ReplayAnswer(long id, boolean applied) {
    }

    @Inject
    ProjectionRecords records;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "The tenant's projection dead letters, oldest first",
            description = "Each with its topic, partition, offset, event id and type (as the record claimed), the reason and the"
                    + " raw value (base64). Without all=true only those not replayed yet.")
    @APIResponse(responseCode = "200", description = "One page; nextAfter is absent on the last")
    @APIResponse(responseCode = "400", description = "Invalid parameter", content = @Content(mediaType = "application/problem+json"))
    public Uni<DeadLetterTable.Page> list(@QueryParam("after") String after, @QueryParam("limit") String limit, @QueryParam("all") String all) {
        Caller caller = callers.current();
        long afterId = number(after, "after", 0);
        long n = number(limit, "limit", 100);
        if (n < 1 || n > 500) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/query/limit", "limit must be 1-500");
        }
        if (all != null && !all.equals("true") && !all.equals("false")) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/query/all", "all must be true or false");
        }
        return records.deadLetters().page(caller.tenant(), afterId, (int) n, "true".equals(all));
    }

    @POST
    @Path("{id}/replay")
    @Blocking
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Apply a dead letter again, after the cause was fixed",
            description = "Applied (or found already applied): 200 and marked replayed. Still refused: 422 with the reason.")
    @APIResponse(responseCode = "200", description = "Applied")
    @APIResponse(responseCode = "404", description = "No such dead letter in this tenant",
            content = @Content(mediaType = "application/problem+json"))
    @APIResponse(responseCode = "422", description = "Still refused", content = @Content(mediaType = "application/problem+json"))
    public ReplayAnswer replay(@PathParam("id") String id) {
        Caller caller = callers.current();
        long n = number(id, "id", -1);
        DeadLetterTable.Stored letter = records.deadLetters().get(caller.tenant(), n).await().indefinitely()
                .orElseThrow(() -> new ProblemException(CommonProblem.NOT_FOUND, "no dead letter " + n));
        if (letter.view().replayedAt() == null) {
            String refused = records.replay(letter);
            if (refused != null) {
                throw new ProblemException(CommonProblem.STILL_REFUSED, refused);
            }
        }
        return new ReplayAnswer(n, true);
    }

    private static long number(String value, String name, long absent) {
        if (value == null) {
            return absent;
        }
        if (!value.matches("\\d{1,18}")) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/query/" + name, name + " must be a whole number");
        }
        return Long.parseLong(value);
    }
}
