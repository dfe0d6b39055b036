package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

/** What an operator relies on: readiness that checks PostgreSQL and Kafka, the API description, metrics. */
@QuarkusTest
class PlatformEndpointsTest {

    @Test
    void readinessIsUpAndChecksTheDatabaseAndKafka() {
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "Kafka connection health check"))
                .body("checks.status", hasItems("UP"));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui").then().statusCode(200).body(containsString("swagger-ui"));
    }

    @Test
    void openApiDescribesEveryPathAndTheBearerScheme() {
        given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200)
                .body("paths.'/v1/subjects/{subjectId}/preferences'.get", notNullValue())
                .body("paths.'/v1/subjects/{subjectId}/preferences'.put", notNullValue())
                .body("paths.'/v1/decisions'.post", notNullValue())
                .body("paths.'/v1/sends'.post", notNullValue())
                .body("paths.'/v1/topics/{key}'.put", notNullValue())
                .body("paths.'/v1/webhooks'.post", notNullValue())
                .body("paths.'/v1/webhooks/{id}/deliveries'.get", notNullValue())
                .body("paths.'/v1/webhooks/{id}/deliveries/replay'.post", notNullValue())
                .body("paths.'/v1/subjects/{subjectId}/links'.post", notNullValue())
                .body("paths.'/preferences'.get", notNullValue())
                .body("paths.'/unsubscribe/{token}'.post", notNullValue())
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
    }

    @Test
    void prometheusMetricsIncludeTheOutboxAndHttpRequests() {
        Api api = Api.newTenant().withTopics("news");
        api.asApp().body(Map.of("topics", List.of("news"))).put(preferences("metrics-probe")).then().statusCode(200);
        given().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("samtykke_outbox_backlog"))
                .body(containsString("samtykke_outbox_published_total"))
                .body(containsString("http_server_requests_seconds_count{method=\"PUT\""));
    }
}
