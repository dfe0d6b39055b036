package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What an operator relies on: readiness over the real database and broker, metrics, API docs. */
@QuarkusTest
class OperationsTest {

    @Test
    void readinessChecksTheDatabaseAndKafka() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "Kafka connection health check"));
    }

    @Test
    void swaggerUiAndOpenApiDocumentEveryEndpoint() {
        given().get("/q/swagger-ui/").then().statusCode(200);
        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.keySet()", hasItems("/v1/purposes", "/v1/purposes/{key}", "/v1/purposes/{key}/notices",
                        "/v1/subjects/{subjectId}/consents", "/v1/subjects/{subjectId}/consents/history",
                        "/v1/consents/query", "/v1/identifiers/consents"));
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
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("samtykke_outbox_backlog"))
                .body(containsString("samtykke_outbox_published_total"));
    }
}
