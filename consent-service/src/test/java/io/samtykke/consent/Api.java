package io.samtykke.consent;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.TenantClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.hamcrest.Matchers.equalTo;

/** What tests need to talk to the service as a real client: a fresh tenant, tokens, requests, the database. */
public final class Api extends TenantClient {

    /** The service's database, as its owner. */
    public static final Database DATABASE = Database.of("consent");

    private Api(String tenant) {
        super(tenant, DATABASE);
    }

    /** A tenant of its own, so tests never see each other's data. */
    public static Api newTenant() {
        return new Api(newTenantId());
    }

    /** A tenant of its own whose catalog holds one consent purpose ({@link #consentPurpose}). */
    public static Api withConsentPurpose(String key, String channel) {
        Api api = newTenant();
        api.consentPurpose(key, channel);
        return api;
    }

    private static final java.util.Map<String, Api> CATALOGUED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A fixed tenant whose catalog {@code catalog} sets up once per test JVM, however many tests ask for it. */
    public static Api catalogued(String tenant, java.util.function.Consumer<Api> catalog) {
        return CATALOGUED.computeIfAbsent(tenant, t -> {
            Api api = new Api(t);
            catalog.accept(api);
            return api;
        });
    }

    /** A fixed tenant, for settings that name a tenant (e.g. a per-tenant rate limit). */
    public static Api tenant(String tenant) {
        return new Api(tenant);
    }

    public RequestSpecification as(String role) {
        return as(role, role + "-client");
    }

    public RequestSpecification as(String role, String subject) {
        return bearer(subject, role).contentType(ContentType.JSON);
    }

    public RequestSpecification asSubject(String subjectId) {
        return as("subject", subjectId);
    }

    /** Creates an active purpose and publishes notice version "v1" in Danish. */
    public void purpose(String key, String channel, String legalBasis, String category, boolean doubleOptIn, String validity) {
        as("admin").body(Map.of(
                        "names", Map.of("da", key, "en", key),
                        "channel", channel, "legalBasis", legalBasis, "category", category,
                        "doubleOptIn", doubleOptIn,
                        "validity", validity == null ? "" : validity).entrySet().stream()
                        .filter(e -> !"".equals(e.getValue()))
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                .put("/v1/purposes/" + key).then().statusCode(201);
        as("admin").body(Map.of("version", "v1", "language", "da", "text", noticeText(key)))
                .post("/v1/purposes/" + key + "/notices").then().statusCode(201);
    }

    /** The text of notice "v1" that {@link #purpose} publishes. */
    public static String noticeText(String purpose) {
        return "Ja tak til " + purpose + ".";
    }

    public void consentPurpose(String key, String channel) {
        purpose(key, channel, "CONSENT", "MARKETING", false, null);
    }

    public ValidatableResponse change(String subjectId, String purpose, String action) {
        Map<String, Object> change = action.equals("GRANT")
                ? Map.of("purpose", purpose, "action", action, "noticeVersion", "v1")
                : Map.of("purpose", purpose, "action", action);
        return as("app").body(Map.of("changes", List.of(change))).post("/v1/subjects/" + subjectId + "/consents").then();
    }

    /** When a grant recorded at {@code recordedAt} expires under a purpose valid for {@code validity} (ISO-8601). */
    public static Instant expiry(String recordedAt, String validity) {
        return Instant.parse(recordedAt).atOffset(ZoneOffset.UTC).plus(Period.parse(validity)).toInstant();
    }

    /** A Kafka header as a string, or null. */
    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The subject's current state per purpose, as the app reads it. */
    public Map<String, String> states(String subjectId) {
        List<Map<String, Object>> consents = as("app").get("/v1/subjects/" + subjectId + "/consents").then().statusCode(200)
                .extract().jsonPath().getList("consents");
        return consents.stream().collect(Collectors.toMap(c -> (String) c.get("purpose"), c -> (String) c.get("state")));
    }

    /**
     * Record {@code index} of the subject's history is the expiry job's: an EXPIRE to EXPIRED by the system. Answers the
     * history, for what else a test checks of that record.
     */
    public ValidatableResponse expiredBySystem(String subjectId, int index) {
        String record = "records[" + index + "].";
        return as("app").get("/v1/subjects/" + subjectId + "/consents/history").then().statusCode(200)
                .body(record + "action", equalTo("EXPIRE"))
                .body(record + "state", equalTo("EXPIRED"))
                .body(record + "actor.type", equalTo("SYSTEM"));
    }

    public long records(String subjectId) {
        return count("select count(*) from consent_record where tenant_id = ? and subject_id = ?", tenant, subjectId);
    }
}
