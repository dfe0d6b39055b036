package io.samtykke.kit.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Set;

/**
 * Asked before quarkus-oidc's bearer mechanism: a request whose bearer token {@link VerifiedTokens} holds gets that
 * identity at once; every other request (no token, a new one, an expired one, a changed one) is left to quarkus-oidc,
 * which verifies it and answers 401 where it must, exactly as without this class.
 */
@ApplicationScoped
public class CachedBearerAuthentication implements HttpAuthenticationMechanism {

    private static final String BEARER = "Bearer ";

    @Inject
    VerifiedTokens verified;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().nullItem();
        }
        SecurityIdentity identity = verified.find(header.substring(BEARER.length()).trim());
        if (identity == null) {
            return Uni.createFrom().nullItem();
        }
        // the identity as quarkus-oidc built it (its expire-time attribute included, which Quarkus checks too), but
        // naming this request's routing context where quarkus-oidc named the first one's
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity)
                .addAttribute(RoutingContext.class.getName(), context)
                .addAttribute(HttpSecurityUtils.ROUTING_CONTEXT_ATTRIBUTE, context).build());
    }

    /** The challenge (401) is quarkus-oidc's. */
    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        return Uni.createFrom().item(false);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    /** Before quarkus-oidc's mechanism (which has the default priority). */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 1000;
    }
}
