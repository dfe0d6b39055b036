package io.samtykke.preference.decision;

import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.samtykke.preference.decision.DecisionApi.DecisionRequest;
import io.samtykke.preference.decision.DecisionApi.DecisionResponse;
import io.samtykke.preference.decision.DecisionApi.SendReport;
import io.samtykke.preference.decision.DecisionApi.SendResult;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Decisions", description = "May I contact this person now? And: I sent them a message")
@RolesAllowed(Caller.MARKETING)
public class DecisionResource {

    @Inject
    DecisionService decisions;

    @Inject
    Callers callers;

    @POST
    @Path("/decisions")
    @Operation(summary = "Allow or deny contacting one subject or up to 10,000",
            description = "Each answer carries every reason that applied (no consent, withdrawn, expired, pending "
                    + "confirmation, objected, erased, topic unsubscribed, quiet hours, frequency cap reached, ...) and "
                    + "the consent version it rests on (subjectSeq and eventId). Necessary and service-message purposes "
                    + "are allowed without consent. Answered from preference-service's own projection: no call to "
                    + "consent-service.")
    @APIResponse(responseCode = "200", description = "One decision per subject, in request order")
    @APIResponse(responseCode = "400", description = "Invalid request, e.g. an unknown topic")
    @APIResponse(responseCode = "413", description = "More subjects than allowed")
    public Uni<DecisionResponse> decide(DecisionRequest body) {
        return decisions.decide(callers.current().tenant(), body);
    }

    @POST
    @Path("/sends")
    @Operation(summary = "Report messages sent, to count against frequency caps",
            description = "Sends under necessary or service-message purposes are recorded but never count against caps.")
    @APIResponse(responseCode = "201", description = "Recorded",
            content = @Content(schema = @Schema(implementation = SendResult.class)))
    public Uni<Response> send(SendReport body) {
        return decisions.recordSends(callers.current().tenant(), body)
                .map(result -> Response.status(201).entity(result).build());
    }
}
