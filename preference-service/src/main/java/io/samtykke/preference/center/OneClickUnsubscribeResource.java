package io.samtykke.preference.center;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.consentservice.ConsentServiceClient.Evidence;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;

import java.time.Clock;
import java.time.Instant;

/**
 * RFC 8058 one-click unsubscribe. The email carries {@code List-Unsubscribe: <.../unsubscribe/TOKEN>} and
 * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click}; the mail provider POSTs that body
 * (form-urlencoded or multipart), without cookies, and the unsubscribe takes effect at once. The answer is
 * never a redirect. A GET (a person following the link, or a scanner prefetching it) changes nothing and shows a
 * confirmation button.
 */
@Path("/unsubscribe/{token}")
@PermitAll
@Tag(name = "Preference center")
public class OneClickUnsubscribeResource {

    @Inject
    PreferenceCenterService center;

    @Inject
    LinkKey key;

    @Inject
    Clock clock;

    @Inject
    PreferenceConfig config;

    @Inject
    LinkPages links;

    @Inject
    @Location("unsubscribe.html")
    Template page;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "A confirmation page; changes nothing")
    public Uni<Response> confirm(@PathParam("token") String token, @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage) {
        return links.open(token, LinkToken.Use.UNSUBSCRIBE, acceptLanguage, "unsubscribe.title", link ->
                center.text(link, acceptLanguage).map(text -> answer(text, "unsubscribe.confirm", text.get("unsubscribe"), null)));
    }

    @POST
    @Consumes({MediaType.APPLICATION_FORM_URLENCODED, MediaType.MULTIPART_FORM_DATA})
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "RFC 8058 one-click unsubscribe: body List-Unsubscribe=One-Click (form-urlencoded or multipart)")
    public Uni<Response> unsubscribe(@PathParam("token") String token, @RestForm("List-Unsubscribe") String oneClick,
                                     @HeaderParam(HttpHeaders.ACCEPT_LANGUAGE) String acceptLanguage,
                                     @HeaderParam(HttpHeaders.USER_AGENT) String userAgent, @Context HttpServerRequest http) {
        return links.open(token, LinkToken.Use.UNSUBSCRIBE, acceptLanguage, "unsubscribe.title", link -> {
            if (!"One-Click".equals(oneClick)) {
                throw ProblemException.at(CommonProblem.VALIDATION, "/List-Unsubscribe",
                        "the body must be List-Unsubscribe=One-Click (RFC 8058)");
            }
            return center.text(link, acceptLanguage).flatMap(text -> unsubscribed(link, text, userAgent, http));
        });
    }

    /** Takes the link's list away at once, and answers the page saying so, with a link to the preference center. */
    private Uni<Response> unsubscribed(LinkToken link, CenterText text, String userAgent, HttpServerRequest http) {
        Evidence evidence = new Evidence("one-click-unsubscribe", text.language(), LinkPages.remoteIp(http), userAgent);
        String list = link.list() == null ? LinkToken.ALL : link.list();
        Uni<PreferenceCenterService.Done> done;
        if (list.startsWith(LinkToken.TOPIC)) {
            done = center.unsubscribeTopic(link, list.substring(LinkToken.TOPIC.length()));
        } else if (list.startsWith(LinkToken.PURPOSE)) {
            done = center.withdraw(link, list.substring(LinkToken.PURPOSE.length()), evidence, false);
        } else {
            done = center.unsubscribeAll(link, evidence, false);
        }
        String pageLink = "/preferences?token=" + new LinkToken(link.tenant(), link.subjectId(),
                LinkToken.Use.PAGE, null, link.language(), Instant.now(clock).plus(config.links().pageTtl())).sign(key.bytes());
        return done.map(d -> answer(text, "unsubscribe.done", null, pageLink));
    }

    /** The page: with a confirmation {@code button}, or (none) saying it is done, with a link to {@code more}. */
    private Response answer(CenterText text, String messageKey, String button, String more) {
        return LinkPages.html(200, page.data("lang", text.language()).data("title", text.get("unsubscribe.title"))
                .data("message", text.get(messageKey)).data("button", button).data("done", button == null)
                .data("more", more).data("moreLabel", more == null ? null : text.get("unsubscribe.more")).render());
    }
}
