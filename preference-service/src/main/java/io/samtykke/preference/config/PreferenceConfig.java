package io.samtykke.preference.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Settings of preference-service; each is documented with its default in the service README. */
@ConfigMapping(prefix = "samtykke")
public interface PreferenceConfig {

    Outbox outbox();

    Projection projection();

    Decisions decisions();

    Webhooks webhooks();

    PublicRateLimit publicRateLimit();

    /**
     * The limit of the public pages and one-click unsubscribe (no token: a signed link), per client address, so a
     * scanner or a loop cannot flood consent-service with withdrawals or the database with page loads.
     */
    interface PublicRateLimit {
        @WithDefault("5")
        double requestsPerSecond();

        @WithDefault("30")
        int burst();
    }

    ConsentService consentService();

    Links links();

    Sends sends();

    Retention retention();

    /**
     * What a tenant promises in its privacy policy, where it differs from the service's defaults: e.g. Mobitech
     * Telecom keeps SMS logs three months ({@code samtykke.retention.tenants."mobitech-telecom".sends.SMS=P90D}), Mobilize
     * Me keeps logs one year ({@code ...webhook-deliveries=P365D}).
     */
    interface Retention {
        Map<String, Tenant> tenants();

        interface Tenant {
            /** Per channel (SMS, EMAIL, ...): reported sends older than this are deleted; never less than 30 days. */
            Map<String, Duration> sends();

            /** Acknowledged webhook deliveries leave the ledger this long after acknowledgement. */
            Optional<Duration> webhookDeliveries();
        }
    }

    interface Outbox {
        /** Whether this instance runs the outbox relay (running relays share the 16 slots batch by batch). */
        @WithDefault("true")
        boolean relayEnabled();

        /** Fallback poll when no NOTIFY arrives. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /** Most outbox rows published per round. */
        @WithDefault("500")
        int batchSize();

        /**
         * The relay reports itself stuck (liveness DOWN) when a publishable row is older than this while
         * Kafka answers, or no relay round finished for this long.
         */
        @WithDefault("PT60S")
        Duration stuckAfter();

        /** Published outbox rows older than this are deleted (the events live on in Kafka). */
        @WithDefault("P7D")
        Duration retention();
    }

    interface Sends {
        /**
         * Reported sends older than this are deleted. Never less than the longest frequency-cap window (30 days): a
         * shorter setting is raised to it, so caps keep counting right.
         */
        @WithDefault("P90D")
        Duration retention();
    }

    interface Projection {
        /** Whether this instance consumes samtykke.consent.events.v1 into the projection. */
        @WithDefault("true")
        boolean enabled();

        /** Consumer group; instances of the service share the topic's partitions through it. */
        @WithDefault("preference-service-projection")
        String groupId();

        /** Read the compacted state topic first when the projection holds nothing (an empty database). */
        @WithDefault("true")
        boolean rebuildWhenEmpty();
    }

    interface Decisions {
        /** Most subjects in one decision or send request. */
        @WithDefault("10000")
        int maxSubjects();
    }

    interface Webhooks {
        /** Whether this instance delivers webhooks (one instance delivers at a time; the others stand by). */
        @WithDefault("true")
        boolean deliveryEnabled();

        /** Failed attempts after which a delivery is dead-lettered (and the subject's later events wait). */
        @WithDefault("8")
        int maxAttempts();

        /** Wait after the first failure; doubled after each further one. */
        @WithDefault("PT1S")
        Duration initialBackoff();

        @WithDefault("PT1H")
        Duration maxBackoff();

        /** How long one delivery may take before it counts as failed. */
        @WithDefault("PT10S")
        Duration timeout();

        /** Deliveries in flight at once (each to a different subscription × subject). */
        @WithDefault("32")
        int concurrency();

        /** Fallback poll when no NOTIFY arrives. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /**
         * Acknowledged deliveries (with their attempts) leave the ledger this long after their acknowledgement.
         * Pending and dead-lettered deliveries stay until they are acknowledged.
         */
        @WithDefault("P90D")
        Duration ledgerRetention();

        /**
         * Base64 of 32 random bytes: the AES-256-GCM key that encrypts subscriptions' signing secrets in the database
         * (the primary key of the keyset). Without it they are stored as they are (a warning at start).
         */
        Optional<String> secretEncryptionKey();

        /**
         * Keys that were {@link #secretEncryptionKey()} before a rotation (base64, comma-separated): secrets sealed with
         * them still open, and are sealed again with the current key at start.
         */
        Optional<List<String>> secretEncryptionPreviousKeys();

        /**
         * After a secret rotation, deliveries are signed with the new and the previous secret for this long, so a
         * receiver can switch at its own pace; then with the new one only.
         */
        @WithDefault("PT24H")
        Duration secretRotationOverlap();

        /**
         * Whether webhook URLs may point to loopback, private, link-local, unique-local, carrier-grade NAT, unspecified or
         * multicast addresses. Off, such URLs are refused at subscription and every attempt checks the host's addresses
         * again, so a webhook cannot reach into the service's own network (SSRF). For local development and tests.
         */
        @WithDefault("false")
        boolean allowPrivateNetworks();

        /**
         * Whether webhook URLs may point to this machine's loopback addresses (127.0.0.0/8, ::1) while everything else
         * non-public stays refused: for a development cluster whose receivers run beside it.
         */
        @WithDefault("false")
        boolean allowLoopback();
    }

    interface ConsentService {
        /** Base URL of consent-service: withdrawals from the preference center, the purpose catalog. */
        @WithDefault("http://127.0.0.1:8081")
        String url();

        /**
         * An RS256 private key (PKCS#8, DER or PEM) that consent-service's token verification trusts: the service
         * mints itself short-lived {@code app} tokens for the tenant it acts in. For the local cluster and tests.
         */
        Optional<String> signingKeyFile();

        /** {@code iss} of minted tokens. */
        @WithDefault("https://samtykke.local/issuer")
        String tokenIssuer();

        /** {@code aud} of minted tokens: consent-service accepts only tokens meant for it. */
        @WithDefault("samtykke-consent-service")
        String tokenAudience();

        @WithDefault("PT5M")
        Duration tokenLifetime();

        /** Per tenant, an OAuth2 client-credentials client whose tokens carry that tenant (e.g. a Keycloak service account). */
        Map<String, Client> clients();

        /** Timeout of one call to consent-service (of each attempt, when a call is tried again). */
        @WithDefault("PT5S")
        Duration timeout();

        Retry retry();

        /** Calls that could not connect to consent-service at all are tried again, with exponential backoff. */
        interface Retry {
            /** Further attempts after the first (0: none). */
            @WithDefault("2")
            int maxRetries();

            /** Wait before the first retry; doubled before each further one. */
            @WithDefault("PT0.2S")
            Duration initialBackoff();
        }

        /** How often a tenant's purpose catalog is read again from consent-service. */
        @WithDefault("PT5M")
        Duration catalogRefresh();

        interface Client {
            String tokenUrl();

            String clientId();

            String clientSecret();
        }
    }

    interface Links {
        /**
         * Base64 of at least 32 random bytes: the HMAC key of preference center and unsubscribe links. Without it a
         * random key is made at start, so links die with the process (and differ between instances).
         */
        Optional<String> secret();

        /** Public base URL that links in emails point to. */
        @WithDefault("http://127.0.0.1:8082")
        String baseUrl();

        /** How long a preference center link stays valid. */
        @WithDefault("P30D")
        Duration pageTtl();

        /** How long a one-click unsubscribe link stays valid. */
        @WithDefault("P180D")
        Duration unsubscribeTtl();

        /** How long the page waits for the projection to show a withdrawal it just recorded. */
        @WithDefault("PT3S")
        Duration readYourWritesWait();
    }
}
