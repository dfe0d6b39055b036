package io.samtykke.consent.confirmation;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.kit.ratelimit.AddressRateLimit;
import io.samtykke.kit.ratelimit.RateLimits;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * 429 with Retry-After on the public confirmation links when one client address sends more than
 * {@code samtykke.double-opt-in.requests-per-second}/{@code burst}: they take no token, so the address is the only key
 * there is (and guessing tokens stays slow). Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding}.
 */
public class ConfirmationRateLimitFilter {

    /** A provider: filters are made before the runtime configuration exists. */
    @Inject
    jakarta.inject.Provider<ConsentConfig> config;

    private final AddressRateLimit limits = new AddressRateLimit();

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/confirmations/")) {
            return null;
        }
        ConsentConfig.DoubleOptIn settings = config.get().doubleOptIn();
        return limits.acquire(http, path, new RateLimits.Limit(settings.requestsPerSecond(), settings.burst()));
    }
}
