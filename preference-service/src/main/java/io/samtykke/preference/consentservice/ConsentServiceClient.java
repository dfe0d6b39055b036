package io.samtykke.preference.consentservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * consent-service's HTTP API, the source of truth for consent: withdrawals made on the preference center
 * and by one-click unsubscribe become consent records there (never local state), and the purpose catalog
 * is read from it. Never called on the decision path.
 */
@ApplicationScoped
public class ConsentServiceClient {

    private static final Logger LOG = Logger.getLogger(ConsentServiceClient.class);

    @Inject
    PreferenceConfig config;

    @Inject
    ServiceTokens tokens;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** How the person made the change, recorded by consent-service as the evidence of the withdrawal. */
    public record Evidence(String collectionPoint, String language, String ipAddress, String userAgent) {
    }

    /** What consent-service stored: the subject's sequence number after the write. */
    public record Written(long subjectSeq, int records) {
    }

    /** The tenant's purpose catalog as consent-service answers GET /v1/purposes. */
    public Uni<JsonNode> purposes(String tenant) {
        return tokens.forTenant(tenant).flatMap(token -> send(HttpRequest.newBuilder(uri("/v1/purposes"))
                        .header("Authorization", "Bearer " + token).GET(), "read the purpose catalog"))
                .map(body -> body.path("purposes"));
    }

    /**
     * Records WITHDRAW for each purpose as one atomic request, acting for the subject (actor SUBJECT, the
     * person's IP and user agent relayed as evidence). An Idempotency-Key makes a retry of it safe.
     */
    public Uni<Written> withdraw(String tenant, String subjectId, List<String> purposes, Evidence evidence) {
        ObjectNode body = json.createObjectNode();
        ArrayNode changes = body.putArray("changes");
        purposes.forEach(p -> changes.addObject().put("purpose", p).put("action", "WITHDRAW"));
        ObjectNode ev = body.putObject("evidence");
        ev.putObject("source").put("appId", ServiceTokens.CLIENT).put("platform", "web")
                .put("collectionPoint", evidence.collectionPoint());
        ev.putObject("actor").put("type", "SUBJECT").put("id", subjectId);
        if (evidence.language() != null) {
            ev.put("language", evidence.language());
        }
        if (evidence.ipAddress() != null) {
            ev.put("ipAddress", evidence.ipAddress());
        }
        if (evidence.userAgent() != null) {
            ev.put("userAgent", evidence.userAgent().length() > 1024 ? evidence.userAgent().substring(0, 1024) : evidence.userAgent());
        }
        String path = "/v1/subjects/" + URLEncoder.encode(subjectId, StandardCharsets.UTF_8).replace("+", "%20") + "/consents";
        String idempotencyKey = "\"" + UUID.randomUUID() + "\"";
        return tokens.forTenant(tenant).flatMap(token -> send(HttpRequest.newBuilder(uri(path))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", idempotencyKey)
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())), "record the withdrawal"))
                .map(answer -> new Written(answer.path("subjectSeq").asLong(), answer.path("records").size()));
    }

    private URI uri(String path) {
        String base = config.consentService().url();
        return URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) + path : base + path);
    }

    private Uni<JsonNode> send(HttpRequest.Builder request, String what) {
        HttpRequest built = request.timeout(config.consentService().timeout()).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(built, HttpResponse.BodyHandlers.ofString()))
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
                    LOG.warnf("consent-service did not answer %s %s: %s", built.method(), built.uri(), e.toString());
                    return new ProblemException(PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE,
                            "consent-service could not be reached to " + what);
                })
                .map(response -> {
                    if (response.statusCode() / 100 != 2) {
                        LOG.warnf("consent-service answered %d to %s %s: %s", response.statusCode(), built.method(),
                                built.uri(), response.body());
                        throw new ProblemException(PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE,
                                "consent-service answered " + response.statusCode() + " when asked to " + what);
                    }
                    try {
                        return json.readTree(response.body());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
