package io.samtykke.preference.consentservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.ProblemType;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.net.ConnectException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * consent-service's HTTP API, the source of truth for consent: withdrawals made on the preference center
 * and by one-click unsubscribe become consent records there (never local state), and the purpose catalog
 * is read from it. Never called on the decision path. Each call (its service token included) is limited to
 * {@code samtykke.consent-service.timeout};
 * a call that could not connect at all is tried again ({@code samtykke.consent-service.retry.*}); an answer other than
 * 2xx, or no answer, is {@link ProblemType#CONSENT_SERVICE_UNAVAILABLE}.
 */
@ApplicationScoped
public class ConsentServiceClient {

    @Inject
    PreferenceConfig config;

    @Inject
    ServiceTokens tokens;

    @Inject
    ObjectMapper json;

    @Inject
    @RestClient
    ConsentServiceApi api;

    private TypedGuard<Uni<Response>> guard;

    /** How the person made the change, recorded by consent-service as the evidence of the withdrawal. */
    public record Evidence(String collectionPoint, String language, String ipAddress, String userAgent) {
    }

    /** What consent-service stored: the subject's sequence number after the write. */
    public record Written(long subjectSeq, int records) {
    }

    @PostConstruct
    void buildGuard() {
        PreferenceConfig.ConsentService settings = config.consentService();
        guard = TypedGuard.create(new TypeLiteral<Uni<Response>>() {
                })
                .withDescription("consent-service")
                .withTimeout().duration(settings.timeout().toMillis(), ChronoUnit.MILLIS).done()
                // only a request that never reached consent-service is sent again: an answer (even 5xx) is final here,
                // and a write carries its Idempotency-Key into every attempt
                .withRetry().maxRetries(settings.retry().maxRetries())
                .delay(settings.retry().initialBackoff().toMillis(), ChronoUnit.MILLIS)
                .whenException(ConsentServiceClient::notConnected)
                .withExponentialBackoff().factor(2).done()
                .done()
                .build();
    }

    /** The tenant's purpose catalog as consent-service answers GET /v1/purposes. */
    public Uni<JsonNode> purposes(String tenant) {
        return call("GET /v1/purposes", "read the purpose catalog",
                () -> tokens.forTenant(tenant).flatMap(token -> api.purposes("Bearer " + token)))
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
        String idempotencyKey = "\"" + UUID.randomUUID() + "\"";
        return call("POST /v1/subjects/{subjectId}/consents", "record the withdrawal",
                () -> tokens.forTenant(tenant).flatMap(token -> api.recordConsents("Bearer " + token, idempotencyKey, subjectId, body)))
                .map(answer -> new Written(answer.path("subjectSeq").asLong(), answer.path("records").size()));
    }

    /** {@code send} (the service token, then the request) under the guard; the answer's JSON, or the problem. */
    private Uni<JsonNode> call(String request, String what, Supplier<Uni<Response>> send) {
        return guard.get(send)
                .onFailure(e -> !(e instanceof ProblemException)).transform(e -> {
                    Log.warnf("consent-service did not answer %s: %s", request, e.toString());
                    return new ProblemException(PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE,
                            "consent-service could not be reached to " + what);
                })
                .map(response -> {
                    try (response) {
                        if (response.getStatus() / 100 != 2) {
                            Log.warnf("consent-service answered %d to %s: %s", response.getStatus(), request,
                                    response.hasEntity() ? response.readEntity(String.class) : "");
                            throw new ProblemException(PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE,
                                    "consent-service answered " + response.getStatus() + " when asked to " + what);
                        }
                        return response.readEntity(JsonNode.class);
                    }
                });
    }

    /** The request never reached consent-service (refused, unreachable): safe and sensible to send again. */
    static boolean notConnected(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
