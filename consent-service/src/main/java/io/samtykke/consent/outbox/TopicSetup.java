package io.samtykke.consent.outbox;

import io.quarkus.logging.Log;
import io.samtykke.contract.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the topics consent-service publishes to (the consent topics and the subject events) before the relay first publishes, so they get their intended settings
 * rather than a broker's auto-create defaults: above all, the state topic is log-compacted.
 */
final class TopicSetup {

    private TopicSetup() {
    }

    /**
     * True when the topics exist as intended (or exist otherwise, with a warning); false when the broker did not answer.
     * The confirmations topic holds secrets of the people (confirmation links): it keeps them {@code confirmationTtl},
     * as long as a link works.
     */
    static boolean ensureTopics(Map<String, Object> connection, int partitions, short replication, Duration confirmationTtl) {
        Optional<Short> rf = replication > 0 ? Optional.of(replication) : Optional.empty();
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.CONSENT_EVENTS, Optional.of(partitions), rf),
                new NewTopic(Topics.CONSENT_OPTOUTS, Optional.of(partitions), rf),
                new NewTopic(Topics.CONSENT_CONFIRMATIONS, Optional.of(partitions), rf)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(confirmationTtl.toMillis()))),
                new NewTopic(Topics.SUBJECT_EVENTS, Optional.of(partitions), rf),
                new NewTopic(Topics.CONSENT_STATE, Optional.of(partitions), rf)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        Map<String, Object> settings = new java.util.HashMap<>(connection);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(settings)) {
            for (NewTopic t : topics) {
                try {
                    admin.createTopics(List.of(t)).all().get(20, TimeUnit.SECONDS);
                    Log.infof("created topic %s", t.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CONSENT_STATE);
            Config config = admin.describeConfigs(List.of(state)).all().get(20, TimeUnit.SECONDS).get(state);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy == null || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                Log.warnf("topic %s exists with cleanup.policy=%s; it should be compacted",
                        Topics.CONSENT_STATE, policy == null ? "?" : policy.value());
            }
            return true;
        } catch (Exception e) {
            // the relay tries again; after a few failures it publishes anyway, to topics a broker may auto-create
            Log.warnf("could not create the consent topics (%s); trying again", e.getCause() != null ? e.getCause() : e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }
}
