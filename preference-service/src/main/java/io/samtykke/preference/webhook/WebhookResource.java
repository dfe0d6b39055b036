package io.samtykke.preference.webhook;

import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.samtykke.preference.webhook.WebhookApi.DeliveryPage;
import io.samtykke.preference.webhook.WebhookApi.ReplayRequest;
import io.samtykke.preference.webhook.WebhookApi.ReplayResult;
import io.samtykke.preference.webhook.WebhookApi.SubscriptionList;
import io.samtykke.preference.webhook.WebhookApi.SubscriptionRequest;
import io.samtykke.preference.webhook.WebhookApi.SubscriptionView;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.UUID;

@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Webhooks", description = "Opt-outs and preference changes delivered to tools that do not speak Kafka")
@RolesAllowed({Caller.MARKETING, Caller.ADMIN})
public class WebhookResource {

    @Inject
    WebhookService webhooks;

    @Inject
    Callers callers;

    @POST
    @Operation(summary = "Subscribe a URL to events",
            description = "Each event is POSTed as {type, timestamp, data} with the Standard Webhooks headers webhook-id "
                    + "(the event id, the same on every retry), webhook-timestamp and webhook-signature (v1, HMAC-SHA256). "
                    + "Any 2xx acknowledges; anything else is retried with exponential backoff, one subject's events in "
                    + "order, and dead-lettered after the configured number of failures. The secret is in this answer only. "
                    + "A URL whose host is or resolves to a loopback, private, link-local or other non-public address is "
                    + "refused unless private networks are allowed.")
    @APIResponse(responseCode = "201", description = "Subscribed; keep the secret",
            content = @Content(schema = @Schema(implementation = SubscriptionView.class)))
    public Uni<Response> create(SubscriptionRequest body) {
        return webhooks.create(callers.current().tenant(), body)
                .map(s -> Response.created(URI.create("/v1/webhooks/" + s.id())).entity(s).build());
    }

    @GET
    @Operation(summary = "The tenant's subscriptions (without secrets)")
    public Uni<SubscriptionList> list() {
        return webhooks.list(callers.current().tenant()).map(SubscriptionList::new);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One subscription with its lag: pending, dead-lettered, change-to-acknowledgement times")
    public Uni<SubscriptionView> get(@PathParam("id") String id) {
        return webhooks.get(callers.current().tenant(), uuid(id));
    }

    @POST
    @Path("/{id}/secret")
    @Consumes(MediaType.WILDCARD) // takes no body, so a bare POST (curl -X POST) is fine
    @Operation(summary = "Rotate the signing secret",
            description = "Makes a new secret and answers with it, once. For the configured overlap (24 hours by default) "
                    + "every delivery carries two signatures in webhook-signature, with the new and with the previous "
                    + "secret, so the receiver can switch when it likes; then only the new one. Rotating again within the "
                    + "overlap ends the older secret at once.")
    @APIResponse(responseCode = "200", description = "Rotated; keep the new secret")
    public Uni<SubscriptionView> rotateSecret(@PathParam("id") String id) {
        return webhooks.rotateSecret(callers.current().tenant(), uuid(id));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Stop delivering to the subscription (its ledger stays readable)")
    @APIResponse(responseCode = "204", description = "Deactivated")
    public Uni<Response> delete(@PathParam("id") String id) {
        return webhooks.deactivate(callers.current().tenant(), uuid(id)).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "The delivery ledger: each delivery, newest first, with every attempt and its acknowledgement")
    public Uni<DeliveryPage> deliveries(@PathParam("id") String id, @QueryParam("status") String status,
                                        @QueryParam("subjectId") String subjectId, @QueryParam("before") Long before,
                                        @QueryParam("limit") Integer limit) {
        return webhooks.deliveries(callers.current().tenant(), uuid(id), status, subjectId, before, limit);
    }

    @POST
    @Path("/{id}/deliveries/replay")
    @Operation(summary = "Deliver dead-lettered deliveries again (all, or the ones named), in their original order")
    public Uni<ReplayResult> replay(@PathParam("id") String id, ReplayRequest body) {
        return webhooks.replay(callers.current().tenant(), uuid(id), body == null ? null : body.deliveryIds())
                .map(ReplayResult::new);
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(CommonProblem.NOT_FOUND, "no webhook subscription " + id);
        }
    }
}
