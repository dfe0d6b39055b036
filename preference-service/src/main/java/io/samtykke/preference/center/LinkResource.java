package io.samtykke.preference.center;

import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.preference.PreferenceRules;
import io.samtykke.preference.topic.TopicService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/** Issues the links an email carries: the preference center, and RFC 8058 one-click unsubscribe. */
@Path("/v1/subjects/{subjectId}/links")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Preference center")
public class LinkResource {

    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");

    @Inject
    Callers callers;

    @Inject
    PreferenceConfig config;

    @Inject
    LinkKey key;

    @Inject
    Clock clock;

    @Inject
    Pool pool;

    @Schema(description = "What the unsubscribe link stops: a topic, a purpose, or (neither) everything marketing",
            example = """
                    {"topic": "ride-offers", "language": "da"}""")
    public record LinkRequest(String topic, String purpose,
                              @Schema(description = "Language of the page when the person set none") String language) {
    }

    public record Links(
            @Schema(description = "The preference center page for this person")
            String preferenceCenter,
            Instant preferenceCenterExpiresAt,
            @Schema(description = "The RFC 8058 one-click endpoint (POST List-Unsubscribe=One-Click)")
            String unsubscribe,
            Instant unsubscribeExpiresAt,
            @Schema(description = "Value of the List-Unsubscribe header, e.g. <https://…/unsubscribe/…>")
            String listUnsubscribe,
            @Schema(description = "Value of the List-Unsubscribe-Post header")
            String listUnsubscribePost) {
    }

    @POST
    @RolesAllowed({Caller.APP, Caller.MARKETING})
    @Operation(summary = "Links for one email to one person",
            description = "Signed (HMAC-SHA256) and expiring; they need no login. Put listUnsubscribe and listUnsubscribePost "
                    + "in the message's List-Unsubscribe and List-Unsubscribe-Post headers (and sign them with DKIM).")
    public Uni<Links> create(@PathParam("subjectId") String subjectId,
                             @RequestBody(required = false, description = "None: links that stop all marketing") LinkRequest body) {
        Caller caller = callers.current();
        PreferenceRules.validateSubjectId(subjectId);
        LinkRequest request = body == null ? new LinkRequest(null, null, null) : body;
        new RequestErrors()
                .require(request.topic() == null || request.purpose() == null, "/purpose", "give a topic or a purpose, not both")
                .requireMatch(request.purpose(), PURPOSE, "/purpose", "purpose key")
                .requireMatch(request.language(), LANGUAGE, "/language", "language tag (BCP 47, e.g. da or sv-SE)")
                .throwIfAny();
        Uni<Void> topicKnown = request.topic() == null ? Uni.createFrom().voidItem()
                : TopicService.requireActive(pool, caller.tenant(), Map.of("/topic", request.topic()));
        return topicKnown.map(v -> {
            Instant now = clock.instant();
            Instant pageExpires = now.plus(config.links().pageTtl());
            Instant unsubscribeExpires = now.plus(config.links().unsubscribeTtl());
            String list = request.topic() != null ? LinkToken.TOPIC + request.topic()
                    : request.purpose() != null ? LinkToken.PURPOSE + request.purpose() : LinkToken.ALL;
            String base = config.links().baseUrl().replaceAll("/+$", "");
            String page = base + "/preferences?token=" + new LinkToken(caller.tenant(), subjectId, LinkToken.Use.PAGE, null,
                    request.language(), pageExpires).sign(key.bytes());
            String unsubscribe = base + "/unsubscribe/" + new LinkToken(caller.tenant(), subjectId, LinkToken.Use.UNSUBSCRIBE,
                    list, request.language(), unsubscribeExpires).sign(key.bytes());
            return new Links(page, pageExpires, unsubscribe, unsubscribeExpires, "<" + unsubscribe + ">",
                    "List-Unsubscribe=One-Click");
        });
    }
}
