package io.samtykke.preference.webhook;

import io.samtykke.kit.webhook.WebhookSignature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.webhook.WebhookQueue.Attempt;
import io.samtykke.preference.webhook.WebhookQueue.Delivery;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Makes one attempt of one delivery: the Standard Webhooks request signed with {@link WebhookSignature}, the URL's
 * addresses checked again with {@link PrivateNetworks}, the POST (asynchronous, redirects not followed), and what the
 * receiver's answer, a timeout or a refusal comes to.
 */
@ApplicationScoped
public class WebhookSender {

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    @Inject
    PreferenceConfig config;

    private HttpClient http;

    /** An attempt not made: the URL's host is or resolves to an address webhooks may not reach. */
    private static final class AddressNotAllowed extends RuntimeException {
        AddressNotAllowed(String why) {
            super("address not allowed: " + why, null, false, false);
        }
    }

    @PostConstruct
    void init() {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The attempt once it is over; never completes exceptionally (a failure is an attempt with its error). */
    CompletionStage<Attempt> send(Delivery d) {
        Instant started = clock.instant();
        HttpRequest request;
        try {
            ObjectNode envelope = json.createObjectNode();
            envelope.put("type", d.eventType());
            envelope.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(d.changedAt()));
            envelope.set("data", json.readTree(d.payload()));
            String body = json.writeValueAsString(envelope);
            long timestamp = started.getEpochSecond();
            request = HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(config.webhooks().timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "samtykke-preference-service")
                    .header("webhook-id", d.eventId().toString())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", WebhookSignature.sign(d.secrets(started), d.eventId().toString(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
        } catch (IOException | IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Attempt(d, started, 0, null, "cannot build the request: " + e.getMessage()));
        }
        return addressAllowed(request)
                .thenCompose(allowed -> http.sendAsync(allowed, HttpResponse.BodyHandlers.discarding()))
                .handle((response, error) -> {
                    int took = (int) Duration.between(started, clock.instant()).toMillis();
                    if (error != null) {
                        Throwable cause = error.getCause() != null ? error.getCause() : error;
                        String message = cause instanceof HttpTimeoutException ? "timed out after " + config.webhooks().timeout()
                                : cause instanceof AddressNotAllowed ? cause.getMessage()
                                : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                        return new Attempt(d, started, took, null, message);
                    }
                    return new Attempt(d, started, took, response.statusCode(),
                            response.statusCode() / 100 == 2 ? null : "HTTP " + response.statusCode());
                });
    }

    /**
     * The request, once its host's addresses are checked again (DNS may have changed since the subscription was made):
     * fails with {@link AddressNotAllowed} when one is not public, unless private networks are allowed. Resolving blocks,
     * so it runs on a worker thread; the HTTP client connects moments later through the same JVM address cache.
     */
    private CompletableFuture<HttpRequest> addressAllowed(HttpRequest request) {
        if (config.webhooks().allowPrivateNetworks()) {
            return CompletableFuture.completedFuture(request);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                PrivateNetworks.check(request.uri().getHost(), config.webhooks().allowLoopback()).ifPresent(why -> {
                    throw new AddressNotAllowed(why);
                });
                return request;
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, Infrastructure.getDefaultWorkerPool());
    }
}
