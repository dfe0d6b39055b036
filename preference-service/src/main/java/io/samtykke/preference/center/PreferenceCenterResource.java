package io.samtykke.preference.center;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.consentservice.ConsentServiceClient.Evidence;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;


/**
 * The preference center: a page a person opens from an email link (a signed, expiring token; no login) to see
 * their purposes and topics in their language and withdraw, unsubscribe from a topic, or from everything, each
 * in one click. Plain HTML forms, no script, no cookies.
 */
@Path("/preferences")
@PermitAll
@Tag(name = "Preference center", description = "The page people open from an email link")
public class PreferenceCenterResource {

    @Inject
    PreferenceCenterService center;

    @Inject
    LinkPages links;

    @Inject
    @Location("preference-center.html")
    Template page;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The page for the person a link names", description = "?token= from POST /v1/subjects/{id}/links")
    public Uni<Response> show(@QueryParam("token") String token, @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage) {
        return links.open(token, LinkToken.Use.PAGE, acceptLanguage, "title", link ->
                center.page(link, token, acceptLanguage, null, null).map(p -> LinkPages.html(200, page.data("page", p).render())));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One action of the page: withdraw a purpose, unsubscribe a topic, or everything; answers the page again")
    public Uni<Response> act(@RestForm String token, @RestForm String action, @RestForm String purpose, @RestForm String topic,
                             @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage,
                             @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context HttpServerRequest http) {
        return links.open(token, LinkToken.Use.PAGE, acceptLanguage, "title", link -> center.text(link, acceptLanguage).flatMap(text -> {
            Evidence evidence = new Evidence("preference-center", text.language(), LinkPages.remoteIp(http), userAgent);
            Uni<String> done = switch (action == null ? "" : action) {
                case "withdraw" -> center.withdraw(link, required(purpose, "purpose"), evidence, true)
                        .map(d -> d.visible() ? text.get("done.withdraw").formatted(d.name()) : text.get("done.later"));
                case "unsubscribe-topic" -> center.unsubscribeTopic(link, required(topic, "topic"))
                        .map(d -> text.get("done.topic").formatted(d.name()));
                case "unsubscribe-all" -> center.unsubscribeAll(link, evidence, true)
                        .map(d -> d.visible() ? text.get("done.all") : text.get("done.later"));
                default -> throw ProblemException.at(CommonProblem.VALIDATION, "/action",
                        "must be withdraw, unsubscribe-topic or unsubscribe-all");
            };
            return done.map(notice -> new Object[]{notice, null})
                    .onFailure(e -> e instanceof ProblemException p && p.type() == PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE)
                    .recoverWithItem(new Object[]{null, text.get("error.unavailable")})
                    .flatMap(outcome -> center.page(link, token, acceptLanguage, (String) outcome[0], (String) outcome[1]))
                    .map(p -> LinkPages.html(p.error() == null ? 200 : 503, page.data("page", p).render()));
        }));
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/" + name, "is required for this action");
        }
        return value;
    }
}
