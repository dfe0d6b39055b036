package io.samtykke.consent;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/** A fresh identifier master key per test JVM: no key material lives in the repository. */
public class IdentifierKeyResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Map.of("samtykke.identifiers.master-key", Base64.getEncoder().encodeToString(key));
    }

    @Override
    public void stop() {
    }
}
