package io.samtykke.kit.security;

import io.quarkus.security.identity.SecurityIdentity;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Builds the {@link Caller} of the current request from the verified JWT. */
@ApplicationScoped
public class Callers {

    @Inject
    SecurityIdentity identity;

    public Caller current() {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            throw new ProblemException(CommonProblem.UNAUTHORIZED, "a valid bearer token is required");
        }
        Object tenant = jwt.getClaim("tenant");
        if (tenant == null || tenant.toString().isBlank()) {
            throw new ProblemException(CommonProblem.MISSING_TENANT, "the token has no 'tenant' claim");
        }
        return new Caller(tenant.toString(), jwt.getSubject(), identity.getRoles());
    }
}
