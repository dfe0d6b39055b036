package io.samtykke.kit.ratelimit;

import io.samtykke.kit.problem.ProblemMapper;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;

import java.time.Duration;

/**
 * The limit of a public endpoint that takes no token (a signed link, a confirmation link): the caller's address is
 * the only key there is. Behind a proxy, set {@code quarkus.http.proxy.proxy-address-forwarding} so it is the
 * client's address, not the proxy's. Buckets of addresses idle for 10 minutes are forgotten.
 */
public final class AddressRateLimit {

    private final RateLimits limits = new RateLimits(Duration.ofMinutes(10), 100_000);

    /** Takes one request of the caller's address: null when allowed, else the 429 problem with Retry-After. */
    public Response acquire(HttpServerRequest http, String path, RateLimits.Limit limit) {
        String address = http.remoteAddress() == null ? "unknown" : http.remoteAddress().hostAddress();
        long wait = limits.acquire(address, limit);
        return wait == 0 ? null : ProblemMapper.rateLimited(wait, "this address", path);
    }
}
