package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bodies that used to slip through: misspelt (unknown) fields and control characters PostgreSQL cannot store. */
@QuarkusTest
class RequestHardeningTest {

    private static final String PROBLEM = "application/problem+json";
    private static final String VALIDATION = "https://samtykke.io/problems/validation";

    @Test
    void aMisspeltFieldIsRefusedWithItsPointerInsteadOfBeingIgnored() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");

        // "occuredAt": without the check this was a 201 with the server time as occurredAt
        api.as("app").body("""
                        {"changes":[{"purpose":"newsletter","action":"GRANT","noticeVersion":"v1"}],
                         "evidence":{"occuredAt":"2025-01-01T10:00:00Z"}}""")
                .post("/v1/subjects/olga/consents").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo(VALIDATION))
                .body("errors", hasSize(1))
                .body("errors[0].pointer", equalTo("/evidence/occuredAt"))
                .body("detail", containsString("unknown field 'occuredAt'"))
                .body("detail", containsString("occurredAt"));
        // inside an array, at the right index
        api.as("app").body("""
                        {"changes":[{"purpose":"newsletter","action":"WITHDRAW"},{"purpse":"newsletter","action":"WITHDRAW"}]}""")
                .post("/v1/subjects/olga/consents").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo(VALIDATION))
                .body("errors[0].pointer", equalTo("/changes/1/purpse"));
        api.as("app").body("""
                        {"changes":[{"purpse":"newsletter","action":"WITHDRAW"}]}""")
                .post("/v1/subjects/olga/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/changes/0/purpse"));
        // deeper, and at the top
        api.as("app").body("""
                        {"changes":[{"purpose":"newsletter","action":"WITHDRAW"}],"evidence":{"source":{"appID":"x"}}}""")
                .post("/v1/subjects/olga/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/evidence/source/appID"));
        api.as("app").body("""
                        {"changes":[{"purpose":"newsletter","action":"WITHDRAW"}],"evidense":{}}""")
                .post("/v1/subjects/olga/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/evidense"));
        assertEquals(0, api.records("olga"));
        assertEquals(0, outbox(api));

        // the other bodies too: the change by identifier and the purpose catalog
        api.as("app").body("""
                        {"identifier":{"type":"EMAIL","valeu":"olga@example.dk"},
                         "changes":[{"purpose":"newsletter","action":"WITHDRAW"}]}""")
                .post("/v1/identifiers/consents").then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].pointer", equalTo("/identifier/valeu"));
        api.as("admin").body("""
                        {"names":{"da":"Tilbud"},"channel":"EMAIL","legalBasis":"CONSENT","category":"MARKETING",
                         "doubleOptin":true}""")
                .put("/v1/purposes/offers").then().statusCode(400).contentType(PROBLEM)
                .body("errors[0].pointer", equalTo("/doubleOptin"));
        api.as("admin").get("/v1/purposes/offers").then().statusCode(404);
        assertEquals(0, api.count("select count(*) from consent_record where tenant_id = ?", api.tenant));
    }

    @Test
    void controlCharactersInEvidenceAreRefusedBeforeTheDatabaseSeesThem() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");

        // PostgreSQL refuses 0x00 in text: without the check this was a 500
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "evidence", Map.of("source", Map.of("appId", "web", "collectionPoint", "a\u0000b"))))
                .post("/v1/subjects/per/consents").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo(VALIDATION))
                .body("errors.pointer", equalTo(List.of("/evidence/source/collectionPoint")))
                .body("errors[0].detail", containsString("U+0000"));
        for (Map<String, Object> evidence : List.<Map<String, Object>>of(
                Map.of("source", Map.of("appId", "web\u0000")),
                Map.of("actor", Map.of("type", "AGENT", "id", "desk\u001b[31m")),
                Map.of("userAgent", "Mozilla/5.0\u0000"))) {
            String field = evidence.keySet().iterator().next();
            api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW")), "evidence", evidence))
                    .post("/v1/subjects/per/consents").then().statusCode(400).contentType(PROBLEM)
                    .body("errors.pointer", hasItem(org.hamcrest.Matchers.startsWith("/evidence/" + field)));
        }
        // a line break has no place in a one-line field either
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW")),
                        "evidence", Map.of("source", Map.of("collectionPoint", "settings\nfooter"))))
                .post("/v1/subjects/per/consents").then().statusCode(400)
                .body("errors.pointer", equalTo(List.of("/evidence/source/collectionPoint")));
        assertEquals(0, api.records("per"));
        assertEquals(0, outbox(api));

        // a tab in a relayed user agent is legal HTTP and is kept
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW")),
                        "evidence", Map.of("userAgent", "Mozilla/5.0\t(X11)")))
                .post("/v1/subjects/per/consents").then().statusCode(201);
        assertEquals(1, api.records("per"));
    }

    /**
     * Each of these once got a 201: the first stopped the audit log for every tenant (a year its parser could
     * not read), the second was consent without proof (the contract requires an appId, so the log refused the
     * event). Now each is a 400 naming the field, and nothing is stored or published.
     */
    @Test
    void requestsWhoseEventWouldBreakTheContractAreRefusedAndStoreNothing() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String grant = "{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}";
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"0000-01-01T00:00:00Z\"}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"-0001-01-01T00:00:00Z\"}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"0123-06-01T00:00:00Z\"}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"1969-12-31T23:59:59Z\"}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":1700000000}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"2025-01-01T10:00:00\"}}", "/evidence/occurredAt");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"source\":{\"appId\":\"\"}}}", "/evidence/source/appId");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"source\":{\"appId\":123}}}", "/evidence/source/appId");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"source\":{\"appId\":false}}}", "/evidence/source/appId");
        refused.put("{\"changes\":[" + grant + "],\"evidence\":{\"source\":{\"appId\":\"app\\udbff\"}}}", "/evidence/source/appId");
        refused.put("{\"changes\":[{\"purpose\":\"newsletter\",\"action\":0,\"noticeVersion\":\"v1\"}]}", "/changes/0/action");
        refused.put("{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"action\":\"WITHDRAW\"}]}", null);
        refused.forEach((body, pointer) -> {
            var answer = api.as("app").body(body).post("/v1/subjects/tove/consents").then().statusCode(400).contentType(PROBLEM);
            if (pointer != null) {
                answer.body("errors.pointer", equalTo(List.of(pointer)));
            } else {
                answer.body("detail", containsString("Duplicate field 'action'"));
            }
        });
        assertEquals(0, api.records("tove"));
        assertEquals(0, outbox(api));

        // a lone surrogate in the catalog, where every consumer would meet it again
        api.as("admin").body("{\"names\":{\"da\":\"Nyhedsbrev\\ud800\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\","
                        + "\"category\":\"MARKETING\"}")
                .put("/v1/purposes/offers").then().statusCode(400).contentType(PROBLEM)
                .body("errors.pointer", equalTo(List.of("/names/da")));
        api.as("admin").get("/v1/purposes/offers").then().statusCode(404);

        // the same request with sound values is recorded, with the time as given
        api.as("app").body("{\"changes\":[" + grant + "],\"evidence\":{\"occurredAt\":\"2025-01-01T10:00:00+01:00\","
                        + "\"source\":{\"appId\":\"web\"}}}")
                .post("/v1/subjects/tove/consents").then().statusCode(201)
                .body("records[0].occurredAt", equalTo("2025-01-01T09:00:00Z"));
        assertEquals(1, api.records("tove"));
    }

    @Test
    void controlCharactersInTheCatalogAreRefusedButLineBreaksInTextsAreKept() {
        Api api = Api.newTenant();
        api.as("admin").body(Map.of("names", Map.of("da", "Nyheds\u0000brev"),
                        "channel", "EMAIL", "legalBasis", "CONSENT", "category", "MARKETING"))
                .put("/v1/purposes/newsletter").then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo(VALIDATION))
                .body("errors.pointer", equalTo(List.of("/names/da")));
        api.as("admin").body(Map.of("names", Map.of("da", "Nyhedsbrev"), "descriptions", Map.of("da", "Tilbud\u0007"),
                        "channel", "EMAIL", "legalBasis", "CONSENT", "category", "MARKETING"))
                .put("/v1/purposes/newsletter").then().statusCode(400)
                .body("errors.pointer", equalTo(List.of("/descriptions/da")));
        api.as("admin").get("/v1/purposes/newsletter").then().statusCode(404);

        api.as("admin").body(Map.of("names", Map.of("da", "Nyhedsbrev"),
                        "descriptions", Map.of("da", "Tilbud pr. e-mail.\r\nHver måned.\tAfmeld når som helst."),
                        "channel", "EMAIL", "legalBasis", "CONSENT", "category", "MARKETING"))
                .put("/v1/purposes/newsletter").then().statusCode(201);
        // notice text: NUL cannot be stored, so it cannot be published; line breaks can
        api.as("admin").body(Map.of("version", "v1", "language", "da", "text", "Ja tak\u0000"))
                .post("/v1/purposes/newsletter/notices").then().statusCode(400).contentType(PROBLEM)
                .body("errors.pointer", equalTo(List.of("/text")));
        api.as("admin").body(Map.of("version", "v1", "language", "da", "url", "https://example.dk/\u0000",
                        "contentSha256", "0".repeat(64)))
                .post("/v1/purposes/newsletter/notices").then().statusCode(400)
                .body("errors.pointer", equalTo(List.of("/url")));
        api.as("admin").get("/v1/purposes/newsletter/notices").then().statusCode(200).body("notices", hasSize(0));
        api.as("admin").body(Map.of("version", "v1", "language", "da", "text", "Ja tak til nyhedsbrevet.\n\nDu kan altid afmelde dig."))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
    }

    private static long outbox(Api api) {
        return api.count("select count(*) from outbox where tenant_id = ?", api.tenant);
    }
}
