package io.samtykke.consent.confirmation;

import io.samtykke.consent.record.ConsentApi.RecordView;
import io.samtykke.consent.record.ConsentService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The double opt-in link the person receives: public, the token is the only credential. A GET (the person opening
 * the link, or a mail scanner prefetching it) changes nothing and shows a button; the button's POST confirms.
 * {@code @Blocking}: without a bearer token to check first, the kit's client rate limit resolves the (anonymous)
 * identity lazily, which the event loop may not wait for (this service authenticates lazily).
 */
@Path("/v1/confirmations/{token}")
@PermitAll
@Blocking
@Tag(name = "Double opt-in", description = "The person confirms a consent through the link sent to them")
public class ConfirmationResource {

    @Inject
    ConsentService consents;

    /** The answer to a confirmation. */
    public record ConfirmationResponse(String purpose, RecordView record) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The page behind the confirmation link: a button that confirms. Changes nothing",
            description = "Mail clients and scanners prefetch links, so opening the link never confirms.")
    @APIResponse(responseCode = "200", description = "The page with the button")
    @APIResponse(responseCode = "404", description = "No such link")
    @APIResponse(responseCode = "409", description = "The link was already used")
    @APIResponse(responseCode = "410", description = "The link expired")
    public Uni<Response> page(@PathParam("token") String token) {
        return consents.pendingConfirmation(token).map(t -> html(
                "Bekræft / Confirm",
                "<p>Bekræft din tilmelding til <b>" + escape(t.purpose()) + "</b>.<br>Confirm your subscription to <b>"
                        + escape(t.purpose()) + "</b>.</p>"
                        + "<form method=\"post\"><button type=\"submit\">Bekræft / Confirm</button></form>"));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML})
    @Operation(summary = "Confirm the double opt-in of this link (single use)",
            description = "Grants the pending consent with the proof of the click (the link's token id, the pending "
                    + "record, truncated IP and user agent) as the person's own change. Any body is ignored. A browser "
                    + "(Accept: text/html, the page's button) is answered with a page, anything else with JSON.")
    @APIResponse(responseCode = "200", description = "Confirmed: the record that granted it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ConfirmationResponse.class)))
    @APIResponse(responseCode = "404", description = "No such link")
    @APIResponse(responseCode = "409", description = "The link was already used, or the consent changed since it was sent")
    @APIResponse(responseCode = "410", description = "The link expired")
    public Uni<Response> confirm(@PathParam("token") String token,
                                 @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
                                 @HeaderParam(HttpHeaders.ACCEPT) String accept,
                                 @HeaderParam("traceparent") String traceparent,
                                 @Context HttpServerRequest http) {
        String ip = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        return consents.confirm(token, ip, userAgent, traceparent).map(c -> {
            if (accept != null && accept.contains(MediaType.TEXT_HTML)) {
                return html("Tak / Thank you", "<p>Tak for din tilmelding til <b>" + escape(c.purpose())
                        + "</b>.<br>Thank you: your subscription to <b>" + escape(c.purpose()) + "</b> is confirmed.</p>");
            }
            return Response.ok(new ConfirmationResponse(c.purpose(), c.record()), MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
        });
    }

    /** A page that loads nothing, is not cached and leaks no token through a Referer. */
    private static Response html(String title, String body) {
        return Response.ok("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                        + "content=\"width=device-width\"><title>" + title + "</title></head><body>" + body + "</body></html>",
                        MediaType.TEXT_HTML_TYPE.withCharset("utf-8"))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("Content-Security-Policy", "default-src 'none'; form-action 'self'")
                .build();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
