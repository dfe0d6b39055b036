package io.samtykke.testsupport;

import io.restassured.specification.RequestSpecification;

import java.util.UUID;

import static io.restassured.RestAssured.given;

/**
 * A test's client of the service under test, in a tenant of its own so tests never see each other's data:
 * requests with real tokens of that tenant ({@link Tokens#forTests()}), and a look into the service's database.
 * Each service's tests extend it with what they say to that service.
 */
public abstract class TenantClient {

    public final String tenant;
    private final Database database;

    protected TenantClient(String tenant, Database database) {
        this.tenant = tenant;
        this.database = database;
    }

    /** A fresh tenant id, {@code t-} and 8 random hex digits. */
    protected static String newTenantId() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A token of this tenant for {@code subject} with {@code roles}. */
    public String token(String subject, String... roles) {
        return Tokens.forTests().mint(tenant, subject, roles);
    }

    /** A request carrying {@link #token}. */
    public RequestSpecification bearer(String subject, String... roles) {
        return given().auth().oauth2(token(subject, roles));
    }

    /** The service's database, as its owner. */
    public Database database() {
        return database;
    }

    /** Counts rows straight from PostgreSQL, to prove what was (or was not) written. */
    public long count(String sql, Object... args) {
        return database.count(sql, args);
    }

    /** One text value straight from PostgreSQL (null when no row or a null value). */
    public String text(String sql, Object... args) {
        return database.text(sql, args);
    }

    /** Runs a statement straight on PostgreSQL, e.g. to age or lose a row. */
    public void execute(String sql, Object... args) {
        database.execute(sql, args);
    }
}
