package io.samtykke.preference.preference;

import io.samtykke.contract.Preferences;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.samtykke.preference.preference.PreferenceService.Stored;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Date;

@Path("/v1/subjects/{subjectId}/preferences")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Preferences", description = "Topics, frequency caps, quiet hours, time zone, language and preferred channel")
@RolesAllowed({Caller.APP, Caller.SUBJECT})
public class PreferenceResource {

    @Inject
    PreferenceService preferences;

    @Inject
    Callers callers;

    @GET
    @Operation(summary = "A subject's preferences",
            description = "A subject that never stored any gets the empty preferences with ETag \"0\". "
                    + "The ETag is the preferences' version; send it as If-Match on the next PUT.")
    @APIResponse(responseCode = "200", description = "The preferences",
            headers = @Header(name = "ETag", description = "The version, e.g. \"3\""),
            content = @Content(schema = @Schema(implementation = Preferences.class)))
    @APIResponse(responseCode = "403", description = "A subject token for another subject")
    public Uni<Response> get(@PathParam("subjectId") String subjectId) {
        Caller caller = callers.current();
        PreferenceRules.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        return preferences.get(caller.tenant(), subjectId).map(PreferenceResource::ok);
    }

    @PUT
    @Operation(summary = "Replace a subject's preferences",
            description = "Stores the preferences as a whole (absent fields are cleared) and publishes "
                    + "io.samtykke.preference.updated.v1 on samtykke.preference.events.v1 through the outbox. "
                    + "A PUT that changes nothing keeps the version and publishes nothing.")
    @APIResponse(responseCode = "200", description = "Stored",
            headers = @Header(name = "ETag", description = "The new version, e.g. \"4\""),
            content = @Content(schema = @Schema(implementation = Preferences.class)))
    @APIResponse(responseCode = "400", description = "Invalid preferences; errors point into the body")
    @APIResponse(responseCode = "403", description = "A subject token for another subject")
    @APIResponse(responseCode = "412", description = "If-Match does not match the current ETag")
    public Uni<Response> put(
            @PathParam("subjectId") String subjectId,
            @Parameter(description = "The ETag of a previous read or write; refuses the write when the preferences changed since")
            @HeaderParam(HttpHeaders.IF_MATCH) String ifMatch,
            @Parameter(description = "W3C trace context, carried to the event as ce_traceparent")
            @HeaderParam("traceparent") String traceparent,
            Preferences body) {
        Caller caller = callers.current();
        PreferenceRules.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        PreferenceRules.validate(body);
        return preferences.put(caller.tenant(), subjectId, body, ifMatch, traceparent).map(PreferenceResource::ok);
    }

    private static Response ok(Stored stored) {
        Response.ResponseBuilder response = Response.ok(stored.preferences()).header(HttpHeaders.ETAG, stored.etag());
        if (stored.updatedAt() != null) {
            response.lastModified(Date.from(stored.updatedAt()));
        }
        return response.build();
    }
}
