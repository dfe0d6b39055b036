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

    @jakarta.inject.Inject
    io.samtykke.kit.security.VerifiedTokens verifiedTokens;

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

    /**
     * A token verified once is remembered (kit VerifiedTokens) but never past its exp, and only as the exact text that
     * was verified: a changed signature, a changed claim or the same claims under another key are each refused.
     */
    @Test
    void aRememberedTokenStillExpiresAndNoAlteredCopyOfItIsAccepted() {
        String token = Tokens.forTests().mint("t-cache", "x", Duration.ofSeconds(3), "admin");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).get("/v1/purposes").then().statusCode(200);
        }
        org.junit.jupiter.api.Assertions.assertNotNull(verifiedTokens.find(token), "the verified token is remembered");
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(parts[2].length() - 2);
        String otherSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 2)
                + (last == 'A' ? 'B' : 'A') + parts[2].charAt(parts[2].length() - 1);
        given().auth().oauth2(otherSignature).get("/v1/purposes").then().statusCode(401)
                .contentType("application/problem+json");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8);
        String otherTenant = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.replace("\"t-cache\"", "\"t-other\"").getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
        given().auth().oauth2(otherTenant).get("/v1/purposes").then().statusCode(401);
        // the remembered token itself, once its exp has passed
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                given().auth().oauth2(token).get("/v1/purposes").then().statusCode(401).contentType("application/problem+json"));
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
        String retryAfter = limited.as("app", "busy-app").get("/v1/purposes").then().statusCode(429)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/rate-limited"))
                .extract().header("Retry-After");
        // the next token of 0.5 per second comes 2 s after the burst began, so 2 whole seconds, or 1 when this machine
        // took over a second for the first four requests
        org.hamcrest.MatcherAssert.assertThat(retryAfter, org.hamcrest.Matchers.oneOf("1", "2"));
        org.awaitility.Awaitility.await().pollDelay(Duration.ofSeconds(Long.parseLong(retryAfter))).until(() -> true);
        limited.as("app", "busy-app").get("/v1/purposes").then().statusCode(200);
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
