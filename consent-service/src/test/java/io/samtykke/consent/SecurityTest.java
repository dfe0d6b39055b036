package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.testsupport.Tokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class SecurityTest {

    @Test
    void withoutAValidTokenNothingIsServed() {
        given().get("/v1/purposes").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://samtykke.io/problems/unauthorized"));
        given().auth().oauth2("not.a.jwt").get("/v1/purposes").then().statusCode(401)
                .contentType("application/problem+json");
        String expired = Tokens.forTests().mint("t1", "x", Duration.ofSeconds(-120), "admin");
        given().auth().oauth2(expired).get("/v1/purposes").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void aTokenSignedByAnotherKeyIsRejected() throws Exception {
        var other = Tokens.inFolder(java.nio.file.Files.createTempDirectory("other-keys"));
        given().auth().oauth2(other.mint("t1", "x", "admin")).get("/v1/purposes").then().statusCode(401);
    }

    /** A token is bound to the services it names in aud: one minted for audit-service is no key to consent-service. */
    @Test
    void aTokenMeantForAnotherServiceIsRejected() {
        Tokens tokens = Tokens.forTests();
        given().auth().oauth2(tokens.mintFor(java.util.Set.of(Tokens.AUDIT_AUDIENCE), "t1", "x", Duration.ofHours(1), "admin"))
                .get("/v1/purposes").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(tokens.mintFor(java.util.Set.of("https://elsewhere.example"), "t1", "x", Duration.ofHours(1), "admin"))
                .get("/v1/purposes").then().statusCode(401);
        given().auth().oauth2(tokens.mintFor(java.util.Set.of(Tokens.CONSENT_AUDIENCE), "t1", "x", Duration.ofHours(1), "admin"))
                .get("/v1/purposes").then().statusCode(200);
    }

    @Test
    void aTokenWithoutTenantIsRefused() {
        given().auth().oauth2(Tokens.forTests().mint(null, "x", "admin")).get("/v1/purposes").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/missing-tenant"));
    }

    @Test
    void aSubjectMayOnlyReadAndWriteItsOwnConsents() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        Map<String, Object> grant = Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")));
        api.asSubject("anna").body(grant).post("/v1/subjects/anna/consents").then().statusCode(201)
                .body("records[0].state", equalTo("GRANTED"));
        api.asSubject("anna").body(grant).post("/v1/subjects/bob/consents").then().statusCode(403)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/forbidden-subject"));
        api.asSubject("anna").get("/v1/subjects/bob/consents").then().statusCode(403);
        api.asSubject("anna").get("/v1/subjects/anna/consents").then().statusCode(200).body("consents", hasSize(1));
        assertEquals(0, api.records("bob"));
        // the record says the person acted for themselves
        api.asSubject("anna").get("/v1/subjects/anna/consents/history").then().statusCode(200)
                .body("records[0].actor.type", equalTo("SUBJECT")).body("records[0].actor.id", equalTo("anna"));
    }

    @Test
    void rolesLimitWhatACallerMayDo() {
        Api api = Api.newTenant();
        api.as("marketing").body(Map.of("changes", List.of(Map.of("purpose", "x", "action", "WITHDRAW"))))
                .post("/v1/subjects/anna/consents").then().statusCode(403);
        api.as("auditor").body(Map.of("names", Map.of("en", "x"))).put("/v1/purposes/x").then().statusCode(403);
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfterWhileOthersAreServed() {
        Api limited = Api.tenant("rate-limited");
        for (int i = 0; i < 3; i++) {
            limited.as("app", "busy-app").get("/v1/purposes").then().statusCode(200);
        }
        limited.as("app", "busy-app").get("/v1/purposes").then().statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", equalTo("2")) // the next of 0.5 per second, in whole seconds
                .body("type", equalTo("https://samtykke.io/problems/rate-limited"));
        limited.as("app", "calm-app").get("/v1/purposes").then().statusCode(200);
        Api.newTenant().as("app", "busy-app").get("/v1/purposes").then().statusCode(200);
    }

    @Test
    void anotherTenantsPurposesAndSubjectsAreInvisible() {
        Api a = Api.newTenant();
        Api b = Api.newTenant();
        a.consentPurpose("newsletter", "EMAIL");
        a.change("shared-id", "newsletter", "GRANT").statusCode(201);
        // tenant b cannot use tenant a's purpose, nor see its subject
        b.change("shared-id", "newsletter", "GRANT").statusCode(422)
                .body("type", equalTo("https://samtykke.io/problems/unknown-purpose"));
        b.as("app").get("/v1/subjects/shared-id/consents").then().statusCode(200)
                .body("consents", hasSize(0)).body("subjectSeq", equalTo(0));
        b.as("app").get("/v1/purposes/newsletter").then().statusCode(404);
        b.as("app").get("/v1/subjects/shared-id/consents/history").then().statusCode(200).body("records", hasSize(0));
        assertEquals(0, b.records("shared-id"));
    }
}
