package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentState;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
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
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check",
                        "Kafka connection health check", "SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui").then().statusCode(200).body(containsString("swagger-ui"));
    }

    @Test
    void openApiDescribesEveryPathAndTheBearerScheme() {
        given().queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200)
                .body("paths.'/v1/entries'.get", notNullValue())
                .body("paths.'/v1/entries/{index}'.get", notNullValue())
                .body("paths.'/v1/checkpoint'.get", notNullValue())
                .body("paths.'/v1/public-key'.get", notNullValue())
                .body("paths.'/v1/proofs/inclusion'.get", notNullValue())
                .body("paths.'/v1/proofs/consistency'.get", notNullValue())
                .body("paths.'/v1/export'.get", notNullValue())
                .body("paths.'/v1/receipts/{eventId}'.get", notNullValue())
                .body("paths.'/v1/subjects/{subjectId}/key'.delete", notNullValue())
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
    }

    @Test
    void prometheusMetricsCountIngestedEventsAndCheckpointLag() {
        Auditor auditor = Auditor.newTenant();
        Events.send(Events.consent(auditor.tenant, "metrics-probe", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(1);
        given().get("/q/metrics")
                .then().statusCode(200)
                .body(containsString("samtykke_audit_ingested_total{outcome=\"stored\""))
                .body(containsString("samtykke_audit_checkpoint_lag_seconds_count"))
                .body(containsString("http_server_requests_seconds_count"));
    }
}
