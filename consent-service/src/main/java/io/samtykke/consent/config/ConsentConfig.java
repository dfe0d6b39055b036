package io.samtykke.consent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Settings of consent-service; each is documented with its default in the service README. */
@ConfigMapping(prefix = "samtykke")
public interface ConsentConfig {

    Consent consent();

    Outbox outbox();

    Identifiers identifiers();

    Demo demo();

    Retention retention();

    interface Consent {
        /** How far in the future a client's occurredAt may be (clock skew). */
        @WithDefault("PT5M")
        Duration maxClockSkew();

        /** Largest request body accepted, in bytes; larger ones get a problem+json 413. */
        @WithDefault("262144")
        long maxBodyBytes();

        /** Most changes in one consent request. */
        @WithDefault("100")
        int maxChangesPerRequest();

        /** Most subjects in one batch read. */
        @WithDefault("1000")
        int maxBatchSubjects();

        /** Default page size of history reads (max 500). */
        @WithDefault("100")
        int historyPageSize();

        /** How often granted consents past their validity are expired. */
        @WithDefault("PT1M")
        Duration expiryInterval();

        /** How often the open data subject requests near or past their due date are counted (metrics). */
        @WithDefault("PT30S")
        Duration requestMetricsInterval();

        /** Base URL of audit-service, used for receipt links in responses. */
        @WithDefault("http://127.0.0.1:8083")
        String auditBaseUrl();
    }

    interface Outbox {
        /** Whether this instance runs the outbox relay. */
        @WithDefault("true")
        boolean relayEnabled();

        /** Rows published per round. */
        @WithDefault("500")
        int batchSize();

        /** Fallback poll interval when no NOTIFY arrives (also retries after a Kafka error). */
        @WithDefault("PT1S")
        Duration pollInterval();

        /**
         * The relay reports itself stuck (liveness DOWN) when a publishable row is older than this while
         * Kafka answers, or no relay round finished for this long.
         */
        @WithDefault("PT60S")
        Duration stuckAfter();

        /** Partitions of the consent topics when the relay creates them. */
        @WithDefault("4")
        int topicPartitions();

        /** Replication factor of the consent topics when created; 0 = the broker's default. */
        @WithDefault("0")
        short topicReplicationFactor();

        /** Mark-as-published rows older than this are deleted. */
        @WithDefault("P7D")
        Duration retention();
    }

    interface Identifiers {
        /** Base64 key (32 bytes) from which per-tenant encryption and blind-index keys are derived. */
        String masterKey();

        /** Optional explicit per-tenant base64 keys (32 bytes) that override the derived ones. */
        Map<String, String> tenantKeys();
    }

    /** Per-tenant retention of people themselves (e.g. Mileage Book: FREE accounts deleted after 12 months of inactivity). */
    interface Retention {
        /** How often subjects past their tenant's inactivity period are looked for. */
        @WithDefault("PT1H")
        Duration inactivityInterval();

        /** Most subjects erased per tenant and round. */
        @WithDefault("200")
        int inactivityBatch();

        /** Per tenant: {@code samtykke.retention.tenants."<tenant>".erase-inactive-after=P365D}. */
        Map<String, TenantRetention> tenants();
    }

    interface TenantRetention {
        /** Erase a subject (an ERASURE request opened and completed by the system) after this long without consent activity; absent = never. */
        Optional<Duration> eraseInactiveAfter();
    }

    interface Demo {
        /** Load the demo tenants (one per seed company) at start. */
        @WithDefault("false")
        boolean enabled();
    }
}
