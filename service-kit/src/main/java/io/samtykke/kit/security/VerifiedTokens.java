package io.samtykke.kit.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Duration;

/**
 * Bearer tokens that quarkus-oidc has verified, remembered until they expire (at most
 * {@code samtykke.security.verified-tokens.max-age}, default 5 minutes; 0 turns it off), so that a client sending the
 * same token again is not verified again: the RS256 signature and parsing the token were 16 % of consent-service's
 * CPU per request in the throughput bench (bench/README.md). {@link CachedBearerAuthentication} answers from here.
 *
 * <p>Only identities quarkus-oidc built are kept (this augmentor runs after every other), keyed by the token's whole
 * text, signature included: a token with any byte changed is a miss and is verified in full. The trade-off: a signing
 * key removed from the key set still admits the tokens verified under it for up to max-age (a JWT cannot be revoked
 * before it expires in any case).
 */
@ApplicationScoped
public class VerifiedTokens implements SecurityIdentityAugmentor {

    /** An identity and when its token stops being accepted (epoch millis). */
    record Entry(SecurityIdentity identity, long expiresAtMillis) {
    }

    private final Duration maxAge;
    private final Cache<String, Entry> tokens;

    VerifiedTokens(@ConfigProperty(name = "samtykke.security.verified-tokens.max-age", defaultValue = "PT5M") Duration maxAge,
                   @ConfigProperty(name = "samtykke.security.verified-tokens.max-size", defaultValue = "50000") long maxSize) {
        this.maxAge = maxAge;
        this.tokens = Caffeine.newBuilder().maximumSize(maxSize).expireAfter(new Expiry<String, Entry>() {
            @Override
            public long expireAfterCreate(String key, Entry e, long currentTime) {
                return Math.max(0, Duration.ofMillis(e.expiresAtMillis() - System.currentTimeMillis()).toNanos());
            }

            @Override
            public long expireAfterUpdate(String key, Entry e, long currentTime, long currentDuration) {
                return expireAfterCreate(key, e, currentTime);
            }

            @Override
            public long expireAfterRead(String key, Entry e, long currentTime, long currentDuration) {
                return currentDuration;
            }
        }).build();
    }

    /** The identity of a token verified earlier that has not expired, else null (then quarkus-oidc verifies it). */
    public SecurityIdentity find(String token) {
        Entry e = tokens.getIfPresent(token);
        return e == null || e.expiresAtMillis() <= System.currentTimeMillis() ? null : e.identity();
    }

    /** Runs after every other augmentor, so what is kept is the identity as the request saw it. */
    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!maxAge.isZero() && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            TokenCredential credential = identity.getCredential(TokenCredential.class);
            if (credential != null && credential.getToken() != null) {
                long until = Math.min(jwt.getExpirationTime() * 1000, System.currentTimeMillis() + maxAge.toMillis());
                tokens.put(credential.getToken(), new Entry(identity, until));
            }
        }
        return Uni.createFrom().item(identity);
    }
}
