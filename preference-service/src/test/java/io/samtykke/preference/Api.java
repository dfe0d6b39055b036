package io.samtykke.preference;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.Tokens;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** What tests need to talk to the service as a real client: a fresh tenant, tokens, a look into PostgreSQL. */
public final class Api {

    public final String tenant;

    private Api(String tenant) {
        this.tenant = tenant;
    }

    /** A tenant of its own, so tests never see each other's data. */
    public static Api newTenant() {
        return new Api("t-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public RequestSpecification as(String role, String subject) {
        return given().auth().oauth2(Tokens.forTests().mint(tenant, subject, role)).contentType(ContentType.JSON);
    }

    public RequestSpecification asApp() {
        return as("app", "crm-sync");
    }

    public RequestSpecification asSubject(String subjectId) {
        return as("subject", subjectId);
    }

    public static String preferences(String subjectId) {
        return "/v1/subjects/" + subjectId + "/preferences";
    }

    /** Counts rows straight from PostgreSQL, to prove what was (or was not) written. */
    public long count(String sql, Object... args) {
        PostgresServer pg = PostgresServer.shared();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("preference"), pg.user(), pg.password());
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows in {@code preference} plus rows in {@code outbox} for this tenant: zero means nothing was written. */
    public long writesFor(String subjectId) {
        return count("select count(*) from preference where tenant_id = ? and subject_id = ?", tenant, subjectId)
                + count("select count(*) from outbox where tenant_id = ? and subject_id = ?", tenant, subjectId);
    }
}
