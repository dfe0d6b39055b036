package io.samtykke.preference.center;

import io.samtykke.kit.ratelimit.AddressRateLimit;
import io.samtykke.kit.ratelimit.RateLimits;
import io.samtykke.preference.config.PreferenceConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * 429 with Retry-After on the public pages ({@code /preferences}, {@code /unsubscribe/…}) when one client address
 * sends more than {@code samtykke.public-rate-limit.*}: they take no token, only a signed link, so the address is
 * the only key there is. Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding} so it is the
 * client's address, not the proxy's.
 */
public class PublicRateLimitFilter {

    /** A provider: filters are made before the runtime configuration exists. */
    @Inject
    jakarta.inject.Provider<PreferenceConfig> config;

    private final AddressRateLimit limits = new AddressRateLimit();

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request, HttpServerRequest http) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/preferences") && !path.startsWith("/unsubscribe/")) {
            return null;
        }
        return limits.acquire(http, path, new RateLimits.Limit(config.get().publicRateLimit().requestsPerSecond(),
                config.get().publicRateLimit().burst()));
    }
}
