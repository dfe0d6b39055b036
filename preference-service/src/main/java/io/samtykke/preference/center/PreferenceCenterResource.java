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

    /** The page holds a bearer link: nothing may cache it, frame it, leak it as a referrer or run script in it. */
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";

    @Inject
    PreferenceCenterService center;

    @Inject
    LinkKey key;

    @Inject
    @Location("preference-center.html")
    Template page;

    @Inject
    @Location("link-problem.html")
    Template problem;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The page for the person a link names", description = "?token= from POST /v1/subjects/{id}/links")
    public Uni<Response> show(@QueryParam("token") String token, @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage) {
        LinkToken link;
        try {
            link = key.verify(token, LinkToken.Use.PAGE);
        } catch (ProblemException e) {
            return Uni.createFrom().item(linkProblem(problem, e, acceptLanguage, "title"));
        }
        return center.page(link, token, acceptLanguage, null, null).map(p -> html(200, page.data("page", p).render()));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "One action of the page: withdraw a purpose, unsubscribe a topic, or everything; answers the page again")
    public Uni<Response> act(@RestForm String token, @RestForm String action, @RestForm String purpose, @RestForm String topic,
                             @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage,
                             @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context HttpServerRequest http) {
        LinkToken link;
        try {
            link = key.verify(token, LinkToken.Use.PAGE);
        } catch (ProblemException e) {
            return Uni.createFrom().item(linkProblem(problem, e, acceptLanguage, "title"));
        }
        return center.text(link, acceptLanguage).flatMap(text -> {
            Evidence evidence = new Evidence("preference-center", text.language(), remoteIp(http), userAgent);
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
                    .map(p -> html(p.error() == null ? 200 : 503, page.data("page", p).render()));
        });
    }

    /** A link that is forged, damaged or expired gets a page saying so, with 403 or 410. */
    static Response linkProblem(Template problem, ProblemException e, String acceptLanguage, String titleKey) {
        CenterText text = CenterText.in(acceptLanguage);
        String message = text.get(e.type() == PreferenceProblem.EXPIRED_LINK ? "error.expired" : "error.invalid");
        return html(e.type().status(), problem.data("lang", text.language()).data("title", text.get(titleKey))
                .data("message", message).render());
    }

    static Response html(int status, String body) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(body)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Security-Policy", CSP)
                .build();
    }

    static String remoteIp(HttpServerRequest http) {
        return http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
    }

    private static String required(String value, String name) {
        if (value == null || value.isBlank()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/" + name, "is required for this action");
        }
        return value;
    }
}
