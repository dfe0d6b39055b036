package io.samtykke.audit;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.Tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** An auditor of a tenant of its own, reading the log through the API as a real client. */
public final class Auditor {

    public final String tenant;

    private Auditor(String tenant) {
        this.tenant = tenant;
    }

    public static Auditor newTenant() {
        return new Auditor("t-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public RequestSpecification request() {
        return given().auth().oauth2(Tokens.forTests().mint(tenant, "auditor-1", "auditor"));
    }

    /** One page of entries with the given query parameters. */
    public JsonPath entries(Map<String, ?> query) {
        return request().queryParams(query).get("/v1/entries").then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the log shows {@code count} entries (with {@code query}), or fails after 15 s. */
    public List<Map<String, Object>> awaitEntries(int count, Map<String, ?> query) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (true) {
            List<Map<String, Object>> entries = entries(query).getList("entries");
            if (entries.size() >= count) {
                return entries;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + count + " entries for " + tenant + " " + query + " within 15 s, saw "
                        + entries.size());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public List<Map<String, Object>> awaitEntries(int count) {
        return awaitEntries(count, Map.of());
    }

    /** A JDBC connection to the audit database, as its owner. */
    public static Connection database() throws SQLException {
        PostgresServer pg = PostgresServer.shared();
        return DriverManager.getConnection(pg.jdbcUrl("audit"), pg.user(), pg.password());
    }
}
