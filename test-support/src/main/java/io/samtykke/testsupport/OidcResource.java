package io.samtykke.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Makes quarkus-oidc verify tokens minted by {@link Tokens#forTests()}. */
public class OidcResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.oidc.public-key", Tokens.forTests().publicKey(),
                "quarkus.oidc.token.issuer", Tokens.ISSUER);
    }

    @Override
    public void stop() {
        // nothing to stop
    }
}
