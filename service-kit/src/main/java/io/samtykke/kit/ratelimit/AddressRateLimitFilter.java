package io.samtykke.kit.ratelimit;

import io.samtykke.kit.problem.ProblemMapper;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.time.Duration;
import java.util.List;

/**
 * 429 with Retry-After on the paths a service's {@link PublicPaths} beans name, when one client address sends more
 * than their limit: they take no token, so the caller's address is the only key there is (and guessing link tokens
 * stays slow). Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding} so it is the client's address,
 * not the proxy's. Buckets of addresses idle for 10 minutes are forgotten. A service without such a bean is not
 * limited here.
 */
public class AddressRateLimitFilter {

    /** Looked up at the first request: filters are made before the runtime configuration the beans read exists. */
    @Inject
    Instance<PublicPaths> beans;

    private final RateLimits limits = new RateLimits(Duration.ofMinutes(10), 100_000);

    private volatile List<PublicPaths> publicPaths;

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request, HttpServerRequest http) {
        List<PublicPaths> all = publicPaths;
        if (all == null) {
            all = beans.stream().toList();
            publicPaths = all;
        }
        if (all.isEmpty()) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        for (PublicPaths p : all) {
            RateLimits.Limit limit = p.limitFor(path);
            if (limit != null) {
                String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
                long wait = limits.acquire(address, limit);
                return wait == 0 ? null : ProblemMapper.rateLimited(wait, "this address", path);
            }
        }
        return null;
    }
}
