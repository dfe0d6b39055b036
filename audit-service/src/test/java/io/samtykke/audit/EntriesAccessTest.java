package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/** Only auditors read the log, only their own tenant's, and bad queries get problem+json. */
@QuarkusTest
class EntriesAccessTest {

    static final String PROBLEM = "application/problem+json";

    @Test
    void aRequestWithoutATokenIsRefusedWith401() {
        given().get("/v1/entries")
                .then().statusCode(401).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/unauthorized"));
    }

    @Test
    void rolesOtherThanAuditorAreRefusedWith403() {
        for (String role : new String[] {"app", "subject", "marketing"}) {
            given().auth().oauth2(Tokens.forTests().mint("acme", "someone", role)).get("/v1/entries")
                    .then().statusCode(403).contentType(PROBLEM)
                    .body("type", equalTo("https://samtykke.io/problems/forbidden"));
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
    void aLimitOutsideOneTo500IsRefused() {
        for (String limit : new String[] {"0", "501", "ten", "-1"}) {
            Auditor.newTenant().request().queryParam("limit", limit).get("/v1/entries")
                    .then().statusCode(400).contentType(PROBLEM)
                    .body("errors.pointer", hasItem("/query/limit"));
        }
    }
}
