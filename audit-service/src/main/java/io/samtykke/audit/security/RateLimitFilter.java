package io.samtykke.audit.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.problem.ProblemMapper;
import io.samtykke.audit.problem.ProblemType;
import io.samtykke.kit.ratelimit.RateLimits;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.time.Duration;
import java.util.List;

/** 429 with Retry-After (RFC 6585) when a tenant's client exceeds {@code samtykke.audit.rate-limit.*}, per instance. */
public class RateLimitFilter {

    /** A provider: filters are made before the runtime configuration exists. */
    @Inject
    jakarta.inject.Provider<AuditConfig> config;

    @Inject
    SecurityIdentity identity;

    private final RateLimits limits = new RateLimits(Duration.ofMinutes(10), 1_000_000);

    @ServerRequestFilter
    public Response limit(ContainerRequestContext request) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt.getClaim("tenant") == null) {
            return null; // refused later by the endpoint's own checks
        }
        long wait = limits.acquire(jwt.getClaim("tenant") + "/" + jwt.getSubject(),
                new RateLimits.Limit(config.get().rateLimit().requestsPerSecond(), config.get().rateLimit().burst()));
        if (wait == 0) {
            return null;
        }
        return Response.fromResponse(ProblemMapper.response(ProblemType.RATE_LIMITED,
                        "too many requests from this client; retry after " + wait + " s", List.of(), request.getUriInfo().getPath()))
                .header("Retry-After", Long.toString(wait)).build();
    }
}
