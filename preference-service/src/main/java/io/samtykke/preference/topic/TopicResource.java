package io.samtykke.preference.topic;

import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.samtykke.preference.topic.TopicApi.TopicList;
import io.samtykke.preference.topic.TopicApi.TopicRequest;
import io.samtykke.preference.topic.TopicApi.TopicView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Topics", description = "The tenant's topic catalog: what a person may follow")
public class TopicResource {

    @Inject
    TopicService topics;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed({Caller.ADMIN, Caller.APP, Caller.SUBJECT, Caller.MARKETING, Caller.AUDITOR, Caller.DPO})
    @Operation(summary = "The topic catalog")
    public Uni<TopicList> list() {
        return topics.list(callers.current().tenant()).map(TopicList::new);
    }

    @GET
    @Path("/{key}")
    @RolesAllowed({Caller.ADMIN, Caller.APP, Caller.SUBJECT, Caller.MARKETING, Caller.AUDITOR, Caller.DPO})
    @Operation(summary = "One topic")
    public Uni<TopicView> get(@PathParam("key") String key) {
        return topics.get(callers.current().tenant(), key);
    }

    @PUT
    @Path("/{key}")
    @RolesAllowed(Caller.ADMIN)
    @Operation(summary = "Create (201) or replace (200) a topic",
            description = "A topic names the consent purpose its messages are sent under; deactivate a topic instead of "
                    + "deleting it, so stored preferences that follow it stay readable.")
    public Uni<Response> put(@PathParam("key") String key, TopicRequest body) {
        return topics.put(callers.current().tenant(), key, body)
                .map(put -> Response.status(put.created() ? 201 : 200).entity(put.topic()).build());
    }
}
