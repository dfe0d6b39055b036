package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

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
    void metricsShowTheOutbox() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("samtykke_outbox_backlog"))
                .body(containsString("samtykke_outbox_published_total"));
    }
}
