package io.samtykke.consent.purpose;

import io.samtykke.consent.purpose.PurposeApi.NoticeList;
import io.samtykke.consent.purpose.PurposeApi.NoticeRequest;
import io.samtykke.consent.purpose.PurposeApi.NoticeView;
import io.samtykke.consent.purpose.PurposeApi.PurposeList;
import io.samtykke.consent.purpose.PurposeApi.PurposeRequest;
import io.samtykke.consent.purpose.PurposeApi.PurposeView;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

@Path("/v1/purposes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Purposes", description = "The tenant's purpose catalog and notice versions")
public class PurposeResource {

    @Inject
    PurposeService purposes;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed({Caller.ADMIN, Caller.APP, Caller.SUBJECT, Caller.AUDITOR, Caller.DPO, Caller.MARKETING})
    @Operation(summary = "List the tenant's purposes")
    public Uni<PurposeList> list() {
        return purposes.list(callers.current().tenant())
                .map(list -> new PurposeList(list.stream().map(PurposeView::of).toList()));
    }

    @GET
    @Path("/{key}")
    @RolesAllowed({Caller.ADMIN, Caller.APP, Caller.SUBJECT, Caller.AUDITOR, Caller.DPO, Caller.MARKETING})
    @Operation(summary = "Read one purpose")
    public Uni<PurposeView> get(@PathParam("key") String key) {
        return purposes.get(callers.current().tenant(), key).map(PurposeView::of);
    }

    @PUT
    @Path("/{key}")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Create or replace a purpose", description = "201 when created, 200 when replaced.")
    public Uni<Response> put(@PathParam("key") String key, PurposeRequest body) {
        return purposes.put(callers.current().tenant(), key, body)
                .map(c -> Response.status(c.created() ? 201 : 200).entity(PurposeView.of(c.entity())).build());
    }

    @GET
    @Path("/{key}/notices")
    @RolesAllowed({Caller.ADMIN, Caller.APP, Caller.SUBJECT, Caller.AUDITOR, Caller.DPO})
    @Operation(summary = "List the published notice versions of a purpose")
    public Uni<NoticeList> notices(@PathParam("key") String key) {
        return purposes.notices(callers.current().tenant(), key)
                .map(list -> new NoticeList(list.stream().map(NoticeView::of).toList()));
    }

    @POST
    @Path("/{key}/notices")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Publish a notice version", description = "Immutable once published: the same version "
            + "with the same content answers 200, with other content 409.")
    public Uni<Response> publish(@PathParam("key") String key, NoticeRequest body) {
        return purposes.publish(callers.current().tenant(), key, body)
                .map(c -> Response.status(c.created() ? 201 : 200)
                        .location(URI.create("/v1/purposes/" + key + "/notices"))
                        .entity(NoticeView.of(c.entity())).build());
    }
}
