package io.samtykke.consent.subject;

import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;


@Path("/v1/requests/{requestId}/export")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Data subject requests")
public class ExportResource {

    @Inject
    ExportService exports;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed({Caller.DPO, Caller.SUBJECT})
    @Operation(summary = "Download the person's export of an ACCESS or PORTABILITY request (GDPR Art. 15/20)",
            description = "One JSON document (format io.samtykke.subject-export, formatVersion 1) with a part per service: "
                    + "consent-service (consents, every record with its evidence, identifiers, requests, status), "
                    + "preference-service (preferences, sends, webhook deliveries) and audit-service (log entries with "
                    + "inclusion proofs, checkpoint, consent receipts). Assembled from the services' parts on "
                    + "samtykke.subject.events.v1 after the request was started; kept for samtykke.export.retention (P30D). "
                    + "Each download is published as io.samtykke.subject.exported.v1 (who, size, SHA-256; not the content); "
                    + "the first completes the request. A person downloads only their own.")
    @APIResponse(responseCode = "200", description = "The export, as an attachment",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.OBJECT)))
    @APIResponse(responseCode = "404", description = "No such request for the caller, no export requested, or expired")
    @APIResponse(responseCode = "409", description = "The export is still being assembled (a part is missing); try again")
    public Uni<Response> download(@PathParam("requestId") String requestId,
                                  @BeanParam RequestOrigin origin) {
        return exports.download(SubjectRequestResource.id(requestId), origin.of(callers.current()))
                .map(d -> Response.ok(d.body(), MediaType.APPLICATION_JSON)
                        .header("Content-Disposition", "attachment; filename=\"" + d.fileName() + "\"")
                        .header("Cache-Control", "no-store")
                        .build());
    }
}
