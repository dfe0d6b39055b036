package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Only auditors read the log, only their own tenant's, and bad queries get problem+json. */
@QuarkusTest
class EntriesAccessTest {

    static final String PROBLEM = "application/problem+json";

    /** Every auditor endpoint, as a path with valid parameters. */
    static final List<String> AUDITOR_PATHS = List.of("/v1/entries", "/v1/entries/0", "/v1/checkpoint", "/v1/public-key",
            "/v1/proofs/inclusion?index=0", "/v1/proofs/consistency?from=1", "/v1/export");

    @Test
    void aRequestWithoutATokenIsRefusedWith401() {
        for (String path : AUDITOR_PATHS) {
            given().get(path)
                    .then().statusCode(401).contentType(PROBLEM)
                    .body("type", equalTo("https://samtykke.io/problems/unauthorized"));
        }
    }

    @Test
    void rolesOtherThanAuditorAreRefusedWith403() {
        for (String role : new String[] {"app", "subject", "marketing", "admin", "dpo"}) {
            for (String path : AUDITOR_PATHS) {
                given().auth().oauth2(Tokens.forTests().mint("acme", "someone", role)).get(path)
                        .then().statusCode(403).contentType(PROBLEM)
                        .body("type", equalTo("https://samtykke.io/problems/forbidden"));
            }
        }
    }

    @Test
    void aTokenWithoutTenantIsRefused() {
        given().auth().oauth2(Tokens.forTests().mint(null, "auditor-1", "auditor")).get("/v1/entries")
                .then().statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/missing-tenant"));
    }

    @Test
    void aCursorThisServiceDidNotIssueIsRefused() {
        Auditor.newTenant().request().queryParam("cursor", "not-a-cursor").get("/v1/entries")
                .then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors.pointer", hasItem("/query/cursor"));
    }

    @Test
    void badEntryQueriesAreRefusedNamingTheParameter() {
        String[][] cases = {{"limit", "0"}, {"limit", "501"}, {"limit", "ten"}, {"order", "sideways"}, {"from", "last week"},
                {"to", "2026-13-01T00:00:00Z"}};
        for (String[] c : cases) {
            Auditor.newTenant().request().queryParam(c[0], c[1]).get("/v1/entries")
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("errors.pointer", hasItem("/query/" + c[0]));
        }
        Auditor.newTenant().request().queryParam("from", "2026-05-02T00:00:00Z").queryParam("to", "2026-05-01T00:00:00Z")
                .get("/v1/entries").then().statusCode(400).body("errors.pointer", hasItem("/query/to"));
        Auditor.newTenant().request().get("/v1/entries/minus-one").then().statusCode(400);
        Auditor.newTenant().request().get("/v1/entries/3").then().statusCode(404).contentType(PROBLEM);
    }

    /**
     * A misspelt filter is refused, not ignored: ignored, {@code subjet} would hand the auditor every entry of the tenant
     * as if they were the person's. Every auditor operation refuses a parameter it does not take.
     */
    @Test
    void aQueryParameterTheOperationDoesNotTakeIsRefusedNotIgnored() {
        Auditor auditor = Auditor.newTenant();
        auditor.request().queryParam("subjet", "anna").get("/v1/entries")
                .then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors.pointer", equalTo(List.of("/query/subjet")))
                .body("detail", equalTo("unknown query parameter subjet; it takes cursor, from, limit, order, purpose, subject, to, type"));
        for (String path : AUDITOR_PATHS) {
            auditor.request().get(path + (path.contains("?") ? "&" : "?") + "verbose=1")
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("errors.pointer", hasItem("/query/verbose"));
        }
        auditor.request().queryParam("subject", "anna").get("/v1/entries").then().statusCode(200);
    }
}
