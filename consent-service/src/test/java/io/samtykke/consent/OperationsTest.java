package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.PlatformEndpointsContract;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What an operator relies on: readiness over the real database and broker, metrics, API docs. */
@QuarkusTest
class OperationsTest extends PlatformEndpointsContract {

    OperationsTest() {
        super(List.of("Reactive PostgreSQL connections health check", "Kafka connection health check"),
                List.of("get /v1/purposes", "get /v1/purposes/{key}", "put /v1/purposes/{key}",
                        "get /v1/purposes/{key}/notices", "post /v1/purposes/{key}/notices",
                        "post /v1/subjects/{subjectId}/consents", "get /v1/subjects/{subjectId}/consents",
                        "get /v1/subjects/{subjectId}/consents/history", "post /v1/consents/query",
                        "put /v1/subjects/{subjectId}/identifiers", "get /v1/subjects/{subjectId}/identifiers",
                        "post /v1/identifiers/consents", "post /v1/inbound/{tenant}/sms",
                        "post /v1/inbound/{tenant}/email-unsubscribe"));
    }

    @Test
    void theStateTopicIsCompactedSoItKeepsTheLatestStatePerSubjectAndPurpose() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers()))) {
            ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CONSENT_STATE);
            Config config = admin.describeConfigs(List.of(state)).all().get(20, TimeUnit.SECONDS).get(state);
            assertEquals("compact", config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
            ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, Topics.CONSENT_EVENTS);
            assertEquals("delete", admin.describeConfigs(List.of(events)).all().get(20, TimeUnit.SECONDS).get(events)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
        }
    }

    @Test
    void metricsShowTheOutbox() {
        assertMetricsShow("samtykke_outbox_backlog", "samtykke_outbox_published_total");
    }
}
