package io.samtykke.consent.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of consent-service; each is documented with its default in the service README. */
@ConfigMapping(prefix = "samtykke")
public interface ConsentConfig {

    Consent consent();

    Outbox outbox();

    Identifiers identifiers();

    Demo demo();

    Inbound inbound();

    Gpc gpc();

    /** Global Privacy Control: which tenants honour {@code Sec-GPC: 1}, and for which purposes. */
    interface Gpc {
        /** Per tenant, e.g. {@code samtykke.gpc.tenants."nabogo".purposes=ad-audiences,partner-sharing}. */
        Map<String, Tenant> tenants();

        interface Tenant {
            /** The purposes that sell or share personal data: a GPC signal opts the person out of each. */
            List<String> purposes();
        }
    }

    /** Gateways that forward what people send back: SMS replies (STOP) and email unsubscribes. */
    interface Inbound {
        /** Per tenant, e.g. {@code samtykke.inbound.tenants."nabogo".secret=whsec_...}; a tenant without one has no inbound endpoint. */
        Map<String, Gateway> tenants();

        interface Gateway {
            /** The Standard Webhooks secret ({@code whsec_<base64>}) the tenant's gateways sign their requests with. */
            String secret();

            /** Keywords that withdraw SMS marketing besides STOP, STOPP, AFMELD and UNSUBSCRIBE (e.g. AFMELD ALT's first word, SLUT). */
            Optional<List<String>> smsKeywords();
        }
    }

    DoubleOptIn doubleOptIn();

    Export export();

    /** Exports of a person's data (Art. 15/20), assembled from the services' parts on the subject events topic. */
    interface Export {
        /** The services whose part every export waits for (besides consent-service's own). */
        @WithDefault("preference-service,audit-service")
        List<String> parts();

        /** How long a requested export and its parts are kept, from the request on. */
        @WithDefault("P30D")
        Duration retention();

        /** Whether this instance consumes export parts (consumer group samtykke.export.group-id). */
        @WithDefault("true")
        boolean consumerEnabled();

        @WithDefault("consent-service-exports")
        String groupId();

        /** How often expired exports are deleted. */
        @WithDefault("PT1H")
        Duration purgeInterval();
    }
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

    /** Double opt-in: the confirmation link of a purpose with {@code doubleOptIn}. */
    interface DoubleOptIn {
        /** How long a confirmation link works; an unconfirmed pending consent expires after it. */
        @WithDefault("P7D")
        Duration confirmationTtl();

        /** The link sent to the person is this followed by the token: the public address of the confirm endpoint. */
        @WithDefault("http://127.0.0.1:8081/v1/confirmations/")
        String confirmationUrl();

        /** Requests per second per client address to the public confirm endpoint (it takes no token). */
        @WithDefault("5")
        double requestsPerSecond();

        /** Burst per client address to the public confirm endpoint. */
        @WithDefault("30")
        int burst();

        /**
         * How long a token row is kept after its link was used, or (never used) expired: a click on it meanwhile still
         * gets its clear answer (confirmation-used, confirmation-expired), later the link is unknown.
         */
        @WithDefault("P30D")
        Duration tokenRetention();
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
