package io.samtykke.audit;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.samtykke.audit.verifier.Checkpoint;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.audit.verifier.SignedNote;
import io.samtykke.audit.verifier.VerificationException;
import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.TenantClient;
import org.awaitility.Awaitility;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/** An auditor of a tenant of its own, reading the log through the API as a real client. */
public final class Auditor extends TenantClient {

    /** The audit database as its owner (who can disable the triggers, as an attacker with DBA rights could). */
    public static final Database DATABASE = Database.of(AuditTestResources.DATABASE);

    /** The audit database as the service's application role. */
    public static final Database DATABASE_AS_SERVICE = DATABASE.as(AuditTestResources.APP_ROLE,
            AuditTestResources.APP_PASSWORD);

    private Auditor(String tenant) {
        super(tenant, DATABASE);
    }

    public static Auditor newTenant() {
        return new Auditor(newTenantId());
    }

    public static Auditor of(String tenant) {
        return new Auditor(tenant);
    }

    public RequestSpecification request() {
        return bearer("auditor-1", "auditor");
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

    private static <T> T await(Supplier<T> probe, String what) {
        return await(probe, what, Duration.ofSeconds(15));
    }

    /** Polls {@code probe} until it answers (not null), or fails after {@code timeout}; its answer. */
    private static <T> T await(Supplier<T> probe, String what, Duration timeout) {
        return Awaitility.await(what).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(probe::get, Objects::nonNull);
    }
}
