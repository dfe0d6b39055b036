package io.samtykke.consent.subject;

import io.samtykke.consent.subject.SubjectRequestApi.Extension;
import io.samtykke.consent.subject.SubjectRequestApi.NewRequest;
import io.samtykke.consent.subject.SubjectRequestApi.RequestList;
import io.samtykke.consent.subject.SubjectRequestApi.RequestView;
import io.samtykke.consent.subject.SubjectRequestApi.StatusChange;
import io.samtykke.consent.subject.SubjectStore.RequestFilter;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.Arrays;
import java.util.UUID;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Data subject requests", description = "One resource for every right (GDPR Art. 15-21): received, due one "
        + "calendar month later, extendable once by two months (Art. 12(3)), completed or rejected; each step an event")
public class SubjectRequestResource {

    private static final int MAX_LIST = 500;

    @Inject
    SubjectRequestService requests;

    @Inject
    Callers callers;

    @POST
    @Path("/subjects/{subjectId}/requests")
    @RolesAllowed({Caller.DPO, Caller.SUBJECT})
    @Operation(summary = "File a data subject request (a person for themselves, or the DPO for them)",
            description = "Received now, due one calendar month later (31 January → 28/29 February). Published as "
                    + "io.samtykke.subject.request-received.v1.")
    @APIResponse(responseCode = "201", description = "Received", content = @Content(schema = @Schema(implementation = RequestView.class)))
    public Uni<Response> create(@PathParam("subjectId") String subjectId,
                                @BeanParam RequestOrigin origin,
                                NewRequest body) {
        return requests.create(subjectId, body, origin.of(callers.current()))
                .map(v -> Response.created(URI.create("/v1/requests/" + v.id())).entity(v).build());
    }

    @GET
    @Path("/subjects/{subjectId}/requests")
    @RolesAllowed({Caller.DPO, Caller.SUBJECT})
    @Operation(summary = "A person's data subject requests, the earliest due first")
    public Uni<RequestList> ofSubject(@PathParam("subjectId") String subjectId,
                                      @Parameter(description = "1-500, default 100") @QueryParam("limit") String limit) {
        return requests.listOf(subjectId, callers.current(), QueryParams.limit(limit, 100, MAX_LIST)).map(RequestList::new);
    }

    @GET
    @Path("/requests")
    @RolesAllowed(Caller.DPO)
    @Operation(summary = "The tenant's data subject requests, the earliest due first, filtered",
            description = "E.g. ?open=true&dueBefore=<now + 7 days> for what is due within a week.")
    public Uni<RequestList> list(
            @Parameter(description = "RECEIVED, IN_PROGRESS, EXTENDED, COMPLETED or REJECTED") @QueryParam("status") String status,
            @Parameter(description = "ACCESS, PORTABILITY, ERASURE, RESTRICTION, OBJECTION or RECTIFICATION") @QueryParam("type") String type,
            @Parameter(description = "Only requests due before this instant", schema = @Schema(type = SchemaType.STRING, format = "date-time"))
            @QueryParam("dueBefore") String dueBefore,
            @Parameter(description = "Only this person's requests") @QueryParam("subject") String subject,
            @Parameter(description = "true: only requests not yet completed or rejected") @QueryParam("open") String open,
            @Parameter(description = "1-500, default 100") @QueryParam("limit") String limit) {
        RequestFilter filter = new RequestFilter(named(SubjectRequestStatus.class, status, "status"),
                named(SubjectRequestType.class, type, "type"), QueryParams.instant(dueBefore, "dueBefore").orElse(null),
                QueryParams.text(subject, "subject"), QueryParams.choice(open, "open", "false", "true"));
        return requests.list(callers.current(), filter, QueryParams.limit(limit, 100, MAX_LIST)).map(RequestList::new);
    }

    @GET
    @Path("/requests/{requestId}")
    @RolesAllowed({Caller.DPO, Caller.SUBJECT})
    @Operation(summary = "One data subject request (a person only their own)")
    public Uni<RequestView> get(@PathParam("requestId") String requestId) {
        return requests.get(id(requestId), callers.current());
    }

    @POST
    @Path("/requests/{requestId}/status")
    @RolesAllowed(Caller.DPO)
    @Operation(summary = "Move a request on: IN_PROGRESS, COMPLETED or REJECTED (with a reason)",
            description = "Completing a RESTRICTION request restricts the person's processing to storage "
                    + "(io.samtykke.subject.restricted.v1) until the DPO lifts it.")
    @APIResponse(responseCode = "409", description = "Not allowed from the request's status (e.g. it is closed)")
    public Uni<RequestView> changeStatus(@PathParam("requestId") String requestId,
                                         @BeanParam RequestOrigin origin,
                                         StatusChange body) {
        return requests.changeStatus(id(requestId), body, origin.of(callers.current()));
    }

    @POST
    @Path("/requests/{requestId}/extension")
    @RolesAllowed(Caller.DPO)
    @Operation(summary = "Extend the due date by one or two months, once, within the first month, with a reason")
    @APIResponse(responseCode = "409", description = "Already extended, closed, or the first month is over")
    public Uni<RequestView> extend(@PathParam("requestId") String requestId,
                                   @BeanParam RequestOrigin origin,
                                   Extension body) {
        return requests.extend(id(requestId), body, origin.of(callers.current()));
    }

    /** A request id from the path; one that is no UUID names no request of the tenant. */
    static UUID id(String requestId) {
        try {
            return UUID.fromString(requestId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.at(CommonProblem.NOT_FOUND, "/path/requestId",
                    "no request " + requestId + " in this tenant");
        }
    }

    private static <E extends Enum<E>> E named(Class<E> type, String value, String name) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw QueryParams.invalid(name, "must be one of " + Arrays.toString(type.getEnumConstants()));
        }
    }
}
