package io.samtykke.consent;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.Tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** What tests need to talk to the service as a real client: a fresh tenant, tokens, requests. */
public final class Api {

    public final String tenant;

    private Api(String tenant) {
        this.tenant = tenant;
    }

    /** A tenant of its own, so tests never see each other's data. */
    public static Api newTenant() {
        return new Api("t-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public RequestSpecification as(String role) {
        return as(role, role + "-client");
    }

    public RequestSpecification as(String role, String subject) {
        return given().auth().oauth2(Tokens.forTests().mint(tenant, subject, role)).contentType(ContentType.JSON);
    }

    public RequestSpecification asSubject(String subjectId) {
        return as("subject", subjectId);
    }

    /** A fixed tenant, for settings that name a tenant (e.g. a per-tenant rate limit). */
    public static Api tenant(String tenant) {
        return new Api(tenant);
    }

    /** Creates an active purpose and publishes notice version "v1" in Danish. */
    public void purpose(String key, String channel, String legalBasis, String category, boolean doubleOptIn, String validity) {
        as("admin").body(Map.of(
                        "names", Map.of("da", key, "en", key),
                        "channel", channel, "legalBasis", legalBasis, "category", category,
                        "doubleOptIn", doubleOptIn,
                        "validity", validity == null ? "" : validity).entrySet().stream()
                        .filter(e -> !"".equals(e.getValue()))
                        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .put("/v1/purposes/" + key).then().statusCode(201);
        as("admin").body(Map.of("version", "v1", "language", "da", "text", "Ja tak til " + key + "."))
                .post("/v1/purposes/" + key + "/notices").then().statusCode(201);
    }

    public void consentPurpose(String key, String channel) {
        purpose(key, channel, "CONSENT", "MARKETING", false, null);
    }

    public ValidatableResponse change(String subjectId, String purpose, String action) {
        Map<String, Object> change = action.equals("GRANT")
                ? Map.of("purpose", purpose, "action", action, "noticeVersion", "v1")
                : Map.of("purpose", purpose, "action", action);
        return as("app").body(Map.of("changes", java.util.List.of(change))).post("/v1/subjects/" + subjectId + "/consents").then();
    }

    /** A Kafka header as a string, or null. */
    public static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Counts rows straight from PostgreSQL, to prove what was (or was not) written. */
    public long count(String sql, Object... args) {
        return Long.parseLong(text(sql, args));
    }

    /** The first column of the first row, straight from PostgreSQL. */
    public String text(String sql, Object... args) {
        PostgresServer pg = PostgresServer.shared();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("consent"), pg.user(), pg.password());
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long records(String subjectId) {
        return count("select count(*) from consent_record where tenant_id = ? and subject_id = ?", tenant, subjectId);
    }
}
