package io.samtykke.audit;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.audit.verifier.SignedNote;
import io.samtykke.audit.verifier.VerificationException;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.Tokens;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

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

    public static Auditor of(String tenant) {
        return new Auditor(tenant);
    }

    public RequestSpecification request() {
        return as("auditor-1", "auditor");
    }

    /** A request with a token of this tenant for {@code subject} with {@code roles}. */
    public RequestSpecification as(String subject, String... roles) {
        return given().auth().oauth2(Tokens.forTests().mint(tenant, subject, roles));
    }

    /** One page of entries with the given query parameters. */
    public JsonPath entries(Map<String, ?> query) {
        return request().queryParams(query).get("/v1/entries").then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the log shows {@code count} entries (with {@code query}), or fails after 15 s. */
    public List<Map<String, Object>> awaitEntries(int count, Map<String, ?> query) {
        return await(() -> {
            List<Map<String, Object>> entries = entries(query).getList("entries");
            return entries.size() >= count ? entries : null;
        }, "expected " + count + " entries for " + tenant + " " + query);
    }

    public List<Map<String, Object>> awaitEntries(int count) {
        return awaitEntries(count, Map.of());
    }

    /** The tenant's verifier key, as served. */
    public NoteKey publicKey() {
        try {
            return NoteKey.verifier(request().get("/v1/public-key").then().statusCode(200).extract().asString());
        } catch (VerificationException e) {
            throw new AssertionError("the served public key is not a verifier key: " + e.getMessage());
        }
    }

    /** The latest checkpoint note, as served. */
    public String checkpointNote() {
        return request().get("/v1/checkpoint").then().statusCode(200).extract().asString();
    }

    /** The latest checkpoint, its signature checked with the served public key. */
    public Checkpoint checkpoint() {
        try {
            return Checkpoint.parse(SignedNote.open(checkpointNote(), publicKey()));
        } catch (VerificationException e) {
            throw new AssertionError("the served checkpoint does not verify: " + e.getMessage());
        }
    }

    /** Polls until a checkpoint covers {@code size} entries (within 5 s, well above the 1 s target), and returns it. */
    public Checkpoint awaitCheckpoint(long size) {
        return await(() -> {
            Checkpoint c = checkpoint();
            return c.size() >= size ? c : null;
        }, "expected a checkpoint of size " + size + " for " + tenant, Duration.ofSeconds(5));
    }

    /** An export as downloaded, with the given query parameters. */
    public String export(Map<String, ?> query) {
        return request().queryParams(query).get("/v1/export").then().statusCode(200).extract().asString();
    }

    /** What the offline verifier says of an export, checked with this tenant's served public key. */
    public ExportVerifier.Result verify(String export, String checkpointNote) {
        try {
            return new ExportVerifier(publicKey(), checkpointNote).verify(new BufferedReader(new StringReader(export)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T await(Supplier<T> probe, String what) {
        return await(probe, what, Duration.ofSeconds(15));
    }

    public static <T> T await(Supplier<T> probe, String what, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(what + " within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A JDBC connection to the audit database as its owner (who can disable the triggers, as an attacker with DBA rights could). */
    public static Connection database() throws SQLException {
        PostgresServer pg = PostgresServer.shared();
        return DriverManager.getConnection(pg.jdbcUrl(AuditDatabaseResource.DATABASE), pg.user(), pg.password());
    }

    /** A JDBC connection as the service's application role. */
    public static Connection databaseAsService() throws SQLException {
        PostgresServer pg = PostgresServer.shared();
        return DriverManager.getConnection(pg.jdbcUrl(AuditDatabaseResource.DATABASE), AuditDatabaseResource.APP_ROLE,
                AuditDatabaseResource.APP_PASSWORD);
    }
}
