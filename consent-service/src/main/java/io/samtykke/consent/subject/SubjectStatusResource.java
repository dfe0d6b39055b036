package io.samtykke.consent.subject;

import io.samtykke.consent.subject.SubjectStatusApi.ObjectionRequest;
import io.samtykke.consent.subject.SubjectStatusApi.RestrictionChange;
import io.samtykke.consent.subject.SubjectStatusApi.SubjectStatus;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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
@Tag(name = "Objection and restriction", description = "What holds for a person as a whole: the objection to all direct "
        + "marketing (GDPR Art. 21(2)-(3)) and the restriction of processing to storage (Art. 18)")
public class SubjectStatusResource {

    @Inject
    SubjectStatusService subjects;

    @Inject
    Callers callers;

    @GET
    @Path("/subjects/{subjectId}/status")
    @RolesAllowed({Caller.APP, Caller.SUBJECT, Caller.DPO, Caller.AUDITOR, Caller.ADMIN})
    @Operation(summary = "Whether the person objects to all direct marketing and whether their processing is restricted")
    public Uni<SubjectStatus> status(@PathParam("subjectId") String subjectId) {
        return subjects.read(subjectId, callers.current());
    }

    @POST
    @Path("/subjects/{subjectId}/objection")
    @RolesAllowed({Caller.SUBJECT, Caller.APP, Caller.DPO})
    @Operation(summary = "Object to ALL direct marketing of the tenant",
            description = "Every purpose of category MARKETING, present and future, on every channel, at once and "
                    + "absolutely: decisions deny them with reason OBJECTED until the person withdraws the objection. "
                    + "Published as io.samtykke.subject.objected.v1 on the subject events and the opt-outs topics. An app "
                    + "relays the person's objection with evidence (source required).")
    @APIResponse(responseCode = "201", description = "Objected", content = @Content(schema = @Schema(implementation = SubjectStatus.class)))
    @APIResponse(responseCode = "200", description = "The objection stood already; nothing changed",
            content = @Content(schema = @Schema(implementation = SubjectStatus.class)))
    public Uni<Response> object(@PathParam("subjectId") String subjectId,
                                @BeanParam RequestOrigin origin,
                                ObjectionRequest body) {
        return subjects.object(subjectId, body, origin.of(callers.current()))
                .map(r -> Response.status(r.changed() ? 201 : 200).entity(r.status()).build());
    }

    @DELETE
    @Path("/subjects/{subjectId}/objection")
    @RolesAllowed({Caller.SUBJECT, Caller.APP})
    @Operation(summary = "The person withdraws their objection to direct marketing",
            description = "Marketing purposes follow their own consent again. Published as "
                    + "io.samtykke.subject.objection-withdrawn.v1.")
    @APIResponse(responseCode = "404", description = "No objection stands")
    public Uni<SubjectStatus> withdraw(@PathParam("subjectId") String subjectId,
                                       @BeanParam RequestOrigin origin) {
        return subjects.withdrawObjection(subjectId, origin.of(callers.current()));
    }

    @PUT
    @Path("/subjects/{subjectId}/restriction")
    @RolesAllowed(Caller.DPO)
    @Operation(summary = "Restrict the person's processing to storage, or lift the restriction (with a reason)",
            description = "While restricted, decisions deny every purpose with reason RESTRICTED. Published as "
                    + "io.samtykke.subject.restricted.v1 / restriction-lifted.v1; asking for what holds changes nothing.")
    public Uni<SubjectStatus> restrict(@PathParam("subjectId") String subjectId,
                                       @BeanParam RequestOrigin origin,
                                       RestrictionChange body) {
        return subjects.restrict(subjectId, body, origin.of(callers.current())).map(SubjectStatusService.Result::status);
    }
}
