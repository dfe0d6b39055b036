package io.samtykke.preference.center;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.function.Function;

/**
 * What the public pages a signed link opens (the preference center, one-click unsubscribe) share: the link checked
 * before anything else, a page saying so when it is not good, and the headers every such page is answered with.
 */
@ApplicationScoped
public class LinkPages {

    /** The page holds a bearer link: nothing may cache it, frame it, leak it as a referrer or run script in it. */
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";

    @Inject
    LinkKey key;

    @Inject
    @Location("link-problem.html")
    Template problem;

    /**
     * {@code page} of the link {@code token} when it is a valid link for {@code use}; a link that is forged, damaged
     * or expired gets a page saying so (titled by {@code titleKey}), with 403 or 410.
     */
    Uni<Response> open(String token, LinkToken.Use use, String acceptLanguage, String titleKey,
                       Function<LinkToken, Uni<Response>> page) {
        LinkToken link;
        try {
            link = key.verify(token, use);
        } catch (ProblemException e) {
            CenterText text = CenterText.in(acceptLanguage);
            String message = text.get(e.type() == PreferenceProblem.EXPIRED_LINK ? "error.expired" : "error.invalid");
            return Uni.createFrom().item(html(e.type().status(), problem.data("lang", text.language())
                    .data("title", text.get(titleKey)).data("message", message).render()));
        }
        return page.apply(link);
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
}
