package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.samtykke.testsupport.Tokens;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Bad input and bad callers get a clear problem+json answer, and nothing is stored or published. */
@QuarkusTest
class PreferenceValidationTest {

    static final String PROBLEM = "application/problem+json";
    static final String VALIDATION = "https://samtykke.io/problems/validation";

    @Test
    void everyInvalidFieldIsNamedInOneProblemAndNothingIsStored() {
        Api api = Api.newTenant();
        api.asApp().body(Map.of(
                        "topics", List.of("Ride Offers", "news", "news"),
                        "frequencyCaps", Map.of("EMAIL", Map.of("max", 0, "per", "WEEK"), "LOCATION", Map.of("max", 1, "per", "DAY")),
                        "quietHours", Map.of("start", "25:00", "end", "7:00"),
                        "timeZone", "Mars/Olympus_Mons",
                        "language", "Danish!",
                        "preferredChannel", "COOKIE"))
                .put(preferences("anna"))
                .then().statusCode(400)
                .contentType(PROBLEM)
                .body("type", equalTo(VALIDATION))
                .body("status", equalTo(400))
                .body("instance", equalTo(preferences("anna")))
                .body("errors.pointer", containsInAnyOrder("/topics/0", "/topics/2", "/frequencyCaps/EMAIL/max",
                        "/frequencyCaps/LOCATION", "/quietHours/start", "/quietHours/end", "/timeZone", "/language",
                        "/preferredChannel"));
        assertEquals(0, api.writesFor("anna"));
    }

    /** Once a 500 each (PostgreSQL cannot store NUL): now the strict reading of the service kit refuses them. */
    @Test
    void controlCharactersAndLoneSurrogatesAreRefusedEverywhereWith400() {
        Api api = Api.newTenant().withPurposes().withTopics("news");
        String nul = "a\u0000b";
        refused(api.asAdmin().body(Map.of("names", Map.of("en", nul), "purpose", "newsletter")).put("/v1/topics/t1"), "/names/en");
        refused(api.asAdmin().body(Map.of("names", Map.of("en", "T"), "descriptions", Map.of("en", nul), "purpose", "newsletter"))
                .put("/v1/topics/t2"), "/descriptions/en");
        refused(api.asMarketing().body(Map.of("url", "https://hooks.example.com/x", "description", nul,
                "eventTypes", List.of("io.samtykke.consent.withdrawn.v1"))).post("/v1/webhooks"), "/description");
        refused(api.asMarketing().body(Map.of("channel", "EMAIL", "topic", nul, "subjectId", "kim")).post("/v1/decisions"), "/topic");
        refused(api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "topic", nul, "subjectId", "kim"))
                .post("/v1/sends"), "/topic");
        refused(api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "kim", "messageId", nul))
                .post("/v1/sends"), "/messageId");
        refused(api.asApp().body(Map.of("topics", List.of("news\ud800"))).put(preferences("kim")), "/topics/0");
        // sent as written: a NUL percent-encoded once, as a browser or curl sends it
        refused(api.asMarketing().urlEncodingEnabled(false).get("/v1/topics/a%00b"), "/path");
        refused(api.asMarketing().queryParam("status", nul).get("/v1/webhooks"), "/query/status");
        assertEquals(0, api.count("select count(*) from topic where tenant_id = ? and key in ('t1', 't2')", api.tenant));
        assertEquals(0, api.writesFor("kim"));
        // and the service still works for the next request
        assertEquals("DENY", api.decide(io.samtykke.contract.Channel.EMAIL, "newsletter", null, "kim").getString("decisions[0].decision"));
    }

    private static void refused(io.restassured.response.Response r, String pointer) {
        r.then().statusCode(400).contentType(PROBLEM).body("type", equalTo(VALIDATION))
                .body("errors.pointer", hasItem(pointer));
    }

    /** A PUT of preferences that is refused: what it sends (null: no body), and what the problem says. */
    static Stream<Arguments> refusedPuts() {
        return Stream.of(
                arguments("quiet hours without a time zone", Map.of("quietHours", Map.of("start", "22:00", "end", "07:00")),
                        Map.of("errors.pointer", containsInAnyOrder("/timeZone"),
                                "errors[0].detail", containsString("required with quietHours"))),
                arguments("a cap without its period", Map.of("frequencyCaps", Map.of("SMS", Map.of("max", 3))),
                        Map.of("errors.pointer", containsInAnyOrder("/frequencyCaps/SMS/per"))),
                arguments("an unknown channel, naming the valid ones", Map.of("preferredChannel", "FAX"),
                        Map.of("type", equalTo(VALIDATION), "detail", containsString("'FAX' is not one of"),
                                "errors.pointer", hasItem("/preferredChannel"))),
                arguments("a misspelt field instead of ignoring it", Map.of("quietHour", Map.of("start", "22:00", "end", "07:00")),
                        Map.of("detail", containsString("unknown field 'quietHour'"))),
                arguments("no body", null,
                        Map.of("type", equalTo(VALIDATION), "detail", containsString("a body is required"))),
                arguments("broken JSON", "{\"topics\": [\"news\"",
                        Map.of("type", equalTo("https://samtykke.io/problems/malformed-json"))));
    }

    @ParameterizedTest(name = "{0} is refused")
    @MethodSource("refusedPuts")
    void aRefusedPutIsAProblemAndStoresNothing(String what, Object body, Map<String, Matcher<?>> problem) {
        Api api = Api.newTenant();
        RequestSpecification put = api.asApp();
        if (body != null) {
            put.body(body);
        }
        ValidatableResponse answer = put.put(preferences("anna")).then().statusCode(400).contentType(PROBLEM);
        problem.forEach(answer::body);
        assertEquals(0, api.writesFor("anna"));
    }

    @Test
    void anInvalidSubjectIdIsRefused() {
        Api api = Api.newTenant();
        api.asApp().get("/v1/subjects/-dash-first/preferences")
                .then().statusCode(400).contentType(PROBLEM)
                .body("errors.pointer", hasItem("/subjectId"));
    }

    @Test
    void aSubjectTokenCannotReadOrWriteAnotherSubject() {
        Api api = Api.newTenant();
        api.asSubject("bob").body(Map.of("topics", List.of("news"))).put(preferences("anna"))
                .then().statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/forbidden-subject"));
        api.asSubject("bob").get(preferences("anna"))
                .then().statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/forbidden-subject"));
        assertEquals(0, api.writesFor("anna"));
    }

    @Test
    void aRequestWithoutATokenIsRefusedWith401() {
        given().contentType(ContentType.JSON).body(Map.of("topics", List.of("news"))).put(preferences("anna"))
                .then().statusCode(401).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/unauthorized"));
        given().get(preferences("anna")).then().statusCode(401).contentType(PROBLEM);
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefusedWith401(@TempDir Path keys) {
        Api api = Api.newTenant();
        String forged = Tokens.inFolder(keys).mint(api.tenant, "anna", "subject");
        given().auth().oauth2(forged).contentType(ContentType.JSON).body(Map.of("topics", List.of("news")))
                .put(preferences("anna"))
                .then().statusCode(401);
        assertEquals(0, api.writesFor("anna"));
    }

    @Test
    void aRoleWithoutPreferenceAccessIsRefusedWith403() {
        Api api = Api.newTenant();
        api.as("auditor", "auditor-1").body(Map.of("topics", List.of("news"))).put(preferences("anna"))
                .then().statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/forbidden"));
        assertEquals(0, api.writesFor("anna"));
    }

    @Test
    void aTokenWithoutTenantIsRefused() {
        String token = Tokens.forTests().mint(null, "crm-sync", "app");
        given().auth().oauth2(token).get(preferences("anna"))
                .then().statusCode(403).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/missing-tenant"));
    }
}
