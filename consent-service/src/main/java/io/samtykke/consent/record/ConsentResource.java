package io.samtykke.consent.record;

import io.samtykke.consent.record.ConsentApi.BatchQuery;
import io.samtykke.consent.record.ConsentApi.BatchResult;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.ConsentWriteResponse;
import io.samtykke.consent.record.ConsentApi.HistoryPage;
import io.samtykke.consent.gpc.GlobalPrivacyControl;
import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.json.StrictJson;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
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
import java.time.Instant;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Consents", description = "Grant, deny, withdraw and object; read current state, state at an instant, history")
public class ConsentResource {

    @Inject
    ConsentService consents;

    @Inject
    ConsentQueries queries;

    @Inject
    GlobalPrivacyControl privacyControl;

    @Inject
    Callers callers;

    @POST
    @Path("/subjects/{subjectId}/consents")
    @RolesAllowed({Caller.APP, Caller.SUBJECT})
    @Operation(summary = "Record consent changes for one subject, atomically",
            description = "All changes are stored in one transaction, each as an immutable record with evidence, and "
                    + "published on Kafka through the outbox. A retry with the same Idempotency-Key returns the first "
                    + "answer; If-Match with the subject's ETag refuses the write (412) when the subject changed.")
    @APIResponse(responseCode = "201", description = "Stored; one record per change",
            content = @Content(schema = @Schema(implementation = ConsentWriteResponse.class)))
    @APIResponse(responseCode = "409", description = "A change is not allowed from the current state")
    @APIResponse(responseCode = "412", description = "If-Match does not match")
    @APIResponse(responseCode = "422", description = "Unknown purpose or notice, future occurredAt, reused Idempotency-Key")
    public Uni<Response> write(
            @PathParam("subjectId") String subjectId,
            @Parameter(description = "Makes retries safe, e.g. \"8e03978e-40d5-43e8-bc93-6894a57f9324\"")
            @HeaderParam("Idempotency-Key") String idempotencyKey,
            @Parameter(description = "The subject's ETag from a previous read or write")
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
            @Parameter(description = "W3C trace context; carried to Kafka as ce_traceparent")
            @HeaderParam("traceparent") String traceparent,
            @Parameter(description = "Global Privacy Control: 1 opts the person out of the tenant's sale and sharing "
                    + "purposes (for tenants that honour it), recorded as separate WITHDRAW records after this request's")
            @HeaderParam("Sec-GPC") String gpc,
            @Context HttpServerRequest http,
            ConsentRequest body) {
        String ip = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        WriteContext ctx = new WriteContext(callers.current(), idempotencyKey, ifMatch, ip, userAgent, traceparent);
        return consents.write(subjectId, body, ctx)
                .flatMap(r -> GlobalPrivacyControl.signalled(gpc) && !r.replayed()
                        ? privacyControl.honour(subjectId, body, ctx).map(gpcResult -> response(subjectId, r, gpcResult))
                        : Uni.createFrom().item(response(subjectId, r, null)));
    }

    /** The answer to the request; after GPC opt-outs the ETag is the one after them, and GPC-Opt-Outs counts them. */
    private static Response response(String subjectId, ConsentService.WriteResult r, ConsentService.WriteResult gpc) {
        return Response.status(r.status())
                .header(HttpHeaders.ETAG, gpc != null ? gpc.etag() : r.etag())
                .header("GPC-Opt-Outs", gpc != null ? gpc.body().records().size() : null)
                .header("Idempotent-Replayed", r.replayed() ? "true" : null)
                .location(URI.create("/v1/subjects/" + subjectId + "/consents"))
                .entity(r.body()).build();
    }

    @GET
    @Path("/subjects/{subjectId}/consents")
    @RolesAllowed({Caller.APP, Caller.SUBJECT, Caller.DPO, Caller.AUDITOR, Caller.ADMIN})
    @Operation(summary = "Current consent state of one subject, all purposes",
            description = "With ?at= an instant (RFC 3339), the state as recorded then. The ETag is the subject's "
                    + "sequence number; send it as If-Match on the next write.")
    public Uni<Response> current(@PathParam("subjectId") String subjectId,
                                 @Parameter(description = "An instant, e.g. 2025-01-31T12:00:00Z", schema = @Schema(type = SchemaType.STRING, format = "date-time"))
                                 @QueryParam("at") String at) {
        Caller caller = callers.current();
        caller.requireAccessTo(subjectId);
        if (at != null) {
            return queries.at(caller.tenant(), subjectId, parseInstant(at, "/query/at"))
                    .map(s -> Response.ok(s).build());
        }
        return queries.current(caller.tenant(), subjectId)
                .map(s -> Response.ok(s).header(HttpHeaders.ETAG, ConsentService.etag(s.subjectSeq())).build());
    }

    @GET
    @Path("/subjects/{subjectId}/consents/history")
    @RolesAllowed({Caller.APP, Caller.SUBJECT, Caller.DPO, Caller.AUDITOR})
    @Operation(summary = "The subject's consent records with their evidence, one page at a time")
    public Uni<HistoryPage> history(@PathParam("subjectId") String subjectId,
                                    @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
                                    @Parameter(description = "1-500, default 100") @QueryParam("limit") Integer limit,
                                    @Parameter(description = "asc (oldest first, default) or desc") @QueryParam("order") String order) {
        Caller caller = callers.current();
        caller.requireAccessTo(subjectId);
        return queries.history(caller.tenant(), subjectId, cursor, limit, QueryParams.choice(order, "order", "asc", "desc"));
    }

    @POST
    @Path("/consents/query")
    @RolesAllowed({Caller.APP, Caller.DPO, Caller.AUDITOR, Caller.ADMIN})
    @Operation(summary = "Current state of many subjects (up to 1,000 per call)")
    public Uni<BatchResult> batch(BatchQuery body) {
        if (body == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        return queries.batch(callers.current().tenant(), body.subjectIds(), body.purposes()).map(BatchResult::new);
    }

    /** An instant as every samtykke JSON body takes it (RFC 3339 with an offset, years 1970-9999). */
    static Instant parseInstant(String value, String pointer) {
        Instant instant = StrictJson.parse(value);
        if (instant == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, pointer,
                    "is not an RFC 3339 date-time with an offset between the years 1970 and 9999, such as 2026-03-05T18:41:02Z");
        }
        return instant;
    }
}
