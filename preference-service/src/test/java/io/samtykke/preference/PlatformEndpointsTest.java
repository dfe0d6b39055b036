package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.testsupport.PlatformEndpointsContract;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.samtykke.preference.Api.preferences;

/** What an operator relies on: readiness that checks PostgreSQL and Kafka, the API description, metrics. */
@QuarkusTest
class PlatformEndpointsTest extends PlatformEndpointsContract {

    PlatformEndpointsTest() {
        super(List.of("Reactive PostgreSQL connections health check", "Kafka connection health check"),
                List.of("get /v1/subjects/{subjectId}/preferences", "put /v1/subjects/{subjectId}/preferences",
                        "post /v1/decisions", "post /v1/sends", "put /v1/topics/{key}", "post /v1/webhooks",
                        "get /v1/webhooks/{id}/deliveries", "post /v1/webhooks/{id}/deliveries/replay",
                        "post /v1/subjects/{subjectId}/links", "get /preferences", "post /unsubscribe/{token}"));
    }

    @Test
    void prometheusMetricsIncludeTheOutboxAndHttpRequests() {
        Api api = Api.newTenant().withTopics("news");
        api.asApp().body(Map.of("topics", List.of("news"))).put(preferences("metrics-probe")).then().statusCode(200);
        assertMetricsShow("samtykke_outbox_backlog", "samtykke_outbox_published_total",
                "http_server_requests_seconds_count{method=\"PUT\"");
    }
}
