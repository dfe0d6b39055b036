package io.samtykke.preference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of preference-service; each is documented with its default in the service README. */
@ConfigMapping(prefix = "samtykke")
public interface PreferenceConfig {

    Outbox outbox();

    interface Outbox {
        /** Whether this instance runs the outbox relay (one instance relays at a time; the others stand by). */
        @WithDefault("true")
        boolean relayEnabled();

        /** Fallback poll when no NOTIFY arrives; also how soon a standby instance takes over. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /** Most outbox rows published per round. */
        @WithDefault("500")
        int batchSize();
    }
}
