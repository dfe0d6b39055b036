package io.samtykke.kit.ratelimit;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.samtykke.kit.problem.ProblemMapper;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.time.Duration;

/**
 * 429 with Retry-After (RFC 6585) when a tenant's client (the token's {@code sub}) exceeds its share of
 * {@code samtykke.rate-limit.*}, in every service, so one misbehaving integration cannot starve the others. Buckets
 * of clients idle for 10 minutes are forgotten (subject tokens make one client per person).
 */
public class ClientRateLimitFilter {

    /** A provider: filters are made before the runtime configuration exists. */
    @Inject
    Provider<RateLimitConfig> config;

    /** The identity deferred: a public endpoint that does not block is on the IO thread, where it may not be resolved at once. */
    @Inject
    CurrentIdentityAssociation identities;

    private final RateLimits limits = new RateLimits(Duration.ofMinutes(10), 1_000_000);

    /** The configuration, looked up once (each lookup through the provider made a new mapping object: per request). */
    private volatile RateLimitConfig resolved;

    private RateLimitConfig config() {
        RateLimitConfig c = resolved;
        if (c == null) {
            c = config.get();
            resolved = c;
        }
        return c;
    }

    @ServerRequestFilter
    public Uni<Response> limit(ContainerRequestContext request) {
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull() // a bad token on a public endpoint: the endpoint's own checks decide
                .map(identity -> limit(identity, request));
    }

    private Response limit(SecurityIdentity identity, ContainerRequestContext request) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || jwt.getClaim("tenant") == null) {
            return null; // refused later by the endpoint's own checks, or a public endpoint with its own limit
        }
        String tenant = jwt.getClaim("tenant").toString();
        long wait = limits.acquire(key(tenant, jwt.getSubject()), config().share(tenant));
        return wait == 0 ? null : ProblemMapper.rateLimited(wait, "this client", request.getUriInfo().getPath());
    }

    /**
     * The bucket of {@code subject} of {@code tenant}. The tenant's length comes first: both are free text, so with a
     * mere separator tenant "shop" with client "eu/app" and tenant "shop/eu" with client "app" would share one bucket.
     */
    static String key(String tenant, String subject) {
        return tenant.length() + ":" + tenant + "/" + subject;
    }
}
