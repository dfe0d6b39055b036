package io.samtykke.consent.security;

import io.samtykke.consent.problem.ProblemMapper;
import io.samtykke.consent.problem.ProblemType;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.List;

/** 429 with Retry-After (RFC 6585) when a tenant's client exceeds its request rate. */
public class RateLimitFilter {

    @Inject
    RateLimiter limiter;

    @Inject
    Callers callers;

    @Inject
    SecurityIdentity identity;

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getClaim("tenant") == null) {
            return null; // refused later by the endpoint's own checks
        }
        long wait = limiter.acquire(callers.current());
        if (wait == 0) {
            return null;
        }
        return Response.fromResponse(ProblemMapper.response(ProblemType.RATE_LIMITED,
                        "too many requests from this client; retry after " + wait + " s", List.of(),
                        request.getUriInfo().getPath()))
                .header("Retry-After", Long.toString(wait))
                .build();
    }
}
