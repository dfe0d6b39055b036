package io.samtykke.preference.center;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.samtykke.preference.config.PreferenceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;

/** The HMAC key of preference center and unsubscribe links, from {@code samtykke.links.secret}. */
@Startup
@ApplicationScoped
public class LinkKey {

    private final byte[] key;
    private final Clock clock;

    @Inject
    public LinkKey(PreferenceConfig config, Clock clock) {
        this.clock = clock;
        String secret = config.links().secret().orElse(null);
        if (secret == null || secret.isBlank()) {
            Log.warn("samtykke.links.secret is not set: preference center and unsubscribe links are signed with a key "
                    + "made at start, so they stop working when this process restarts and other instances refuse them");
            key = new byte[32];
            new SecureRandom().nextBytes(key);
        } else {
            key = Base64.getDecoder().decode(secret.trim());
            if (key.length < 32) {
                throw new IllegalStateException("samtykke.links.secret must be base64 of at least 32 random bytes");
            }
        }
    }

    byte[] bytes() {
        return key;
    }

    /** The link {@code token} stands for; throws the invalid-link or expired-link problem. */
    LinkToken verify(String token, LinkToken.Use use) {
        return LinkToken.verify(key, token, use, clock.instant());
    }
}
