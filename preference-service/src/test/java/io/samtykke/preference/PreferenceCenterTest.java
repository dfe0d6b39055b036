package io.samtykke.preference;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.samtykke.contract.Channel;
import io.samtykke.preference.center.LinkToken;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page a person opens from an email: their choices in their language, each stoppable in one click. */
@QuarkusTest
class PreferenceCenterTest {

    static final String TEST_SECRET = "dGVzdC1vbmx5LWxpbmstc2VjcmV0LW5vdC1mb3ItdXNlLTAxMjM0NQ==";

    @Test
    void aMailSenderGetsThePageLinkAndTheListUnsubscribeHeaders() {
        Api api = Api.newTenant().withTopics("ride-offers");
        Links links = Links.issue(api, "anna", Map.of("topic", "ride-offers"));
        assertTrue(links.page().startsWith("http://127.0.0.1:8082/preferences?token="), links.page());
        assertEquals("<" + links.unsubscribe() + ">", links.answer().getString("listUnsubscribe"));
        assertEquals("List-Unsubscribe=One-Click", links.answer().getString("listUnsubscribePost"));
        assertTrue(Instant.parse(links.answer().getString("unsubscribeExpiresAt")).isAfter(Instant.now().plusSeconds(86_400 * 90)));
        api.asMarketing().body(Map.of("topic", "casino")).post("/v1/subjects/anna/links").then().statusCode(400)
                .contentType("application/problem+json");
        api.asSubject("anna").body(Map.of()).post("/v1/subjects/anna/links").then().statusCode(403);
    }

    @Test
    void thePageShowsThePersonsPurposesAndTopicsInTheirLanguage() {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers", "product-updates");
        api.asSubject("bo").body(Map.of("topics", List.of("ride-offers"), "language", "da")).put(preferences("bo")).then().statusCode(200);
        api.grantNewsletterAndAwaitIt("bo");
        api.catalogRead();
        Links links = Links.issue(api, "bo", Map.of());

        Response page = given().header("Accept-Language", "en-GB").get(links.pagePath());
        page.then().statusCode(200).contentType(ContentType.HTML)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .body(containsString("<html lang=\"da\">"))
                .body(containsString("Dine valg"))
                .body(containsString("Nyhedsbrev"))
                .body(containsString("Givet"))
                .body(containsString("Emne ride-offers"))
                .body(containsString("Følger ikke"))
                .body(containsString("Servicebeskeder"))
                .body(containsString("Sendes altid"))
                .body(containsString("id=\"withdraw-newsletter\""))
                .body(containsString("id=\"unsubscribe-ride-offers\""))
                .body(not(containsString("id=\"unsubscribe-product-updates\"")))
                .body(not(containsString("id=\"withdraw-service-messages\"")))
                .body(not(containsString("<script")));
    }

    @Test
    void withdrawingOnThePageBecomesAWithdrawalInConsentServiceAndTheDecisionFlips() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("cy");
        api.catalogRead();
        Links links = Links.issue(api, "cy", Map.of("language", "en"));

        given().header("User-Agent", "Mozilla/5.0 (test)").contentType(ContentType.URLENC)
                .formParam("token", links.pageToken()).formParam("action", "withdraw").formParam("purpose", "newsletter")
                .post("/preferences")
                .then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("Done: you withdrew your consent to “Newsletter”."))
                .body(containsString("Withdrawn"))
                .body(not(containsString("id=\"withdraw-newsletter\"")));

        List<FakeConsentService.Write> writes = FakeConsentService.writes(api.tenant);
        assertEquals(1, writes.size());
        FakeConsentService.Write w = writes.get(0);
        assertEquals("cy", w.subjectId());
        assertEquals(List.of("app"), w.roles(), "an app token of the subject's tenant");
        assertEquals("preference-service", w.tokenSubject());
        JsonNode change = w.body().path("changes").get(0);
        assertEquals("newsletter", change.path("purpose").asText());
        assertEquals("WITHDRAW", change.path("action").asText());
        assertEquals("SUBJECT", w.body().at("/evidence/actor/type").asText());
        assertEquals("cy", w.body().at("/evidence/actor/id").asText());
        assertEquals("preference-center", w.body().at("/evidence/source/collectionPoint").asText());
        assertEquals("Mozilla/5.0 (test)", w.body().at("/evidence/userAgent").asText());
        assertTrue(w.idempotencyKey().startsWith("\""), "retries of the write are safe");

        var denied = api.decide(Channel.EMAIL, "newsletter", null, "cy");
        assertEquals("DENY", denied.getString("decisions[0].decision"), "the page answered after the projection had it");
        assertEquals(List.of("WITHDRAWN"), denied.getList("decisions[0].reasons.code"));
    }

    @Test
    void unsubscribingFromATopicChangesOnlyThePreferences() {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers", "product-updates");
        api.asApp().body(Map.of("topics", List.of("ride-offers", "product-updates"))).put(preferences("dea")).then().statusCode(200);
        Links links = Links.issue(api, "dea", Map.of());
        given().contentType(ContentType.URLENC).formParam("token", links.pageToken()).formParam("action", "unsubscribe-topic")
                .formParam("topic", "ride-offers").post("/preferences")
                .then().statusCode(200).body(containsString("Done: you no longer follow “Topic ride-offers”."));
        api.asApp().get(preferences("dea")).then().statusCode(200).body("topics", equalTo(List.of("product-updates")))
                .header("ETag", "\"2\"");
        assertEquals(0, FakeConsentService.writes(api.tenant).size(), "a topic is preference-service's own data");
    }

    @Test
    void unsubscribeFromEverythingStopsAllMarketingButNotFormalNotices() {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers");
        api.asApp().body(Map.of("topics", List.of("ride-offers"))).put(preferences("eli")).then().statusCode(200);
        api.grant("eli", "newsletter");
        api.grant("eli", "sms-offers");
        api.awaitDecision(Channel.SMS, "sms-offers", "eli", "ALLOW", "CONSENT_GRANTED");
        api.catalogRead();
        Links links = Links.issue(api, "eli", Map.of());
        given().contentType(ContentType.URLENC).formParam("token", links.pageToken()).formParam("action", "unsubscribe-all")
                .post("/preferences").then().statusCode(200)
                .body(containsString("Done: you are unsubscribed from everything we send for marketing."));

        JsonNode changes = FakeConsentService.writes(api.tenant).get(0).body().path("changes");
        List<String> withdrawn = new java.util.ArrayList<>();
        changes.forEach(c -> withdrawn.add(c.path("purpose").asText() + " " + c.path("action").asText()));
        assertEquals(List.of("newsletter WITHDRAW", "product-news WITHDRAW", "sms-offers WITHDRAW"), withdrawn.stream().sorted().toList(),
                "one atomic request; the existing-customer purpose too (consent-service records it as an objection)");
        assertEquals("DENY", api.decide(Channel.EMAIL, "newsletter", null, "eli").getString("decisions[0].decision"));
        assertEquals("DENY", api.decide(Channel.EMAIL, "product-news", null, "eli").getString("decisions[0].decision"));
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "service-messages", null, "eli").getString("decisions[0].decision"));
        api.asApp().get(preferences("eli")).then().body("topics", equalTo(List.of()));
    }

    @Test
    void whenConsentServiceCannotRecordTheWithdrawalThePageSaysSoAndNothingChanges() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("fay");
        Links links = Links.issue(api, "fay", Map.of("language", "en"));
        FakeConsentService.failNextWrites(1);
        given().contentType(ContentType.URLENC).formParam("token", links.pageToken()).formParam("action", "withdraw")
                .formParam("purpose", "newsletter").post("/preferences")
                .then().statusCode(503).contentType(ContentType.HTML)
                .body(containsString("We could not record your choice just now"));
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "newsletter", null, "fay").getString("decisions[0].decision"));
    }

    @Test
    void aForgedOrExpiredLinkShowsNothingOfThePerson() {
        Api api = Api.newTenant().withPurposes();
        api.asApp().body(Map.of("language", "da")).put(preferences("gus")).then().statusCode(200);
        Links links = Links.issue(api, "gus", Map.of());
        String token = links.pageToken();
        String forged = token.substring(0, token.length() - 3) + (token.endsWith("A") ? "BBB" : "AAA");
        given().get("/preferences?token=" + forged).then().statusCode(403).contentType(ContentType.HTML)
                .body(containsString("This link is not valid")).body(not(containsString("gus")));
        given().contentType(ContentType.URLENC).formParam("token", forged).formParam("action", "unsubscribe-all")
                .post("/preferences").then().statusCode(403);

        String expired = new LinkToken(api.tenant, "gus", LinkToken.Use.PAGE, null, null, Instant.now().minusSeconds(1))
                .sign(Base64.getDecoder().decode(TEST_SECRET));
        given().header("Accept-Language", "da").get("/preferences?token=" + expired).then().statusCode(410)
                .body(containsString("Linket er udløbet"));
        given().get("/preferences").then().statusCode(403);
        assertEquals(0, FakeConsentService.writes(api.tenant).size());
    }

    @Test
    void aPageLinkCannotUnsubscribeOneClickNorTheOtherWayRound() {
        Api api = Api.newTenant().withPurposes();
        Links links = Links.issue(api, "hal", Map.of());
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click")
                .post("/unsubscribe/" + links.pageToken()).then().statusCode(403);
        String unsubscribeToken = links.unsubscribePath().substring("/unsubscribe/".length());
        given().get("/preferences?token=" + unsubscribeToken).then().statusCode(403);
        assertEquals(0, FakeConsentService.writes(api.tenant).size());
        assertTrue(links.unsubscribe().contains("/unsubscribe/"), links.unsubscribe());
        given().get(links.unsubscribePath()).then().statusCode(200).body(allOf(containsString("List-Unsubscribe"),
                containsString("One-Click"))).header("Content-Security-Policy", startsWith("default-src 'none'"))
                .header("Cache-Control", endsWith("no-store"));
    }
}
