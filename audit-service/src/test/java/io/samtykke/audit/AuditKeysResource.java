package io.samtykke.audit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.samtykke.audit.verifier.Ed25519Keys;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/** A checkpoint signing key and a key-encryption key of the test run's own, as the local cluster generates them. */
public class AuditKeysResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        byte[] kek = new byte[32];
        new SecureRandom().nextBytes(kek);
        return Map.of(
                "samtykke.audit.signing-key", Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()),
                "samtykke.audit.key-encryption-key", Base64.getEncoder().encodeToString(kek));
    }

    @Override
    public void stop() {
        // nothing to stop
    }
}
