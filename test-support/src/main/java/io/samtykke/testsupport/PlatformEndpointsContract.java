package io.samtykke.testsupport;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasKey;

/**
 * What an operator relies on in every service, as tests a service's {@code @QuarkusTest} class inherits: readiness
 * that is UP and checks the named dependencies, Swagger UI, and an OpenAPI document that describes each named
 * operation and the bearer scheme. The subclass names its checks and operations and adds its own metrics test.
 */
public abstract class PlatformEndpointsContract {

    private final List<String> readinessChecks;
    private final List<String> operations;

    /**
     * @param readinessChecks names of health checks that must be among the readiness checks
     * @param operations      each as {@code "get /v1/entries"}: an HTTP method in lower case and an OpenAPI path
     */
    protected PlatformEndpointsContract(List<String> readinessChecks, List<String> operations) {
        this.readinessChecks = readinessChecks;
        this.operations = operations;
    }

    @Test
    void readinessIsUpAndChecksTheDatabaseAndKafka() {
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems(readinessChecks.toArray(String[]::new)))
                .body("checks.status", everyItem(equalTo("UP")));
    }

    @Test
    void swaggerUiIsServed() {
        given().get("/q/swagger-ui").then().statusCode(200).body(containsString("swagger-ui"));
    }

    @Test
    void openApiDescribesEveryOperationAndTheBearerScheme() {
        var document = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("components.securitySchemes.bearer.scheme", equalTo("bearer"));
        for (String operation : operations) {
            String[] methodAndPath = operation.split(" ", 2);
            document.body("paths.'" + methodAndPath[1] + "'", hasKey(methodAndPath[0]));
        }
    }

    /** Asserts that {@code /q/metrics} shows each of {@code series} (a metric name, with labels where they matter). */
    protected static void assertMetricsShow(String... series) {
        var metrics = given().get("/q/metrics").then().statusCode(200);
        for (String s : series) {
            metrics.body(containsString(s));
        }
    }
}
