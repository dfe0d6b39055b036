package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.samtykke.contract.Channel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 8058: the mail provider POSTs List-Unsubscribe=One-Click to the List-Unsubscribe URL, and it takes effect at once. */
@QuarkusTest
class OneClickUnsubscribeTest {

    @Test
    void aFormUrlencodedOneClickPostWithdrawsThePurposeWithoutARedirect() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("anna");
        Links links = Links.issue(api, "anna", Map.of("purpose", "newsletter"));

        given().redirects().follow(false).contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click")
                .post(links.unsubscribePath())
                .then().statusCode(200).header("Location", nullValue()).body(containsString("You are unsubscribed."));

        FakeConsentService.Write w = FakeConsentService.writes(api.tenant).get(0);
        assertEquals("WITHDRAW", w.body().at("/changes/0/action").asText());
        assertEquals("newsletter", w.body().at("/changes/0/purpose").asText());
        assertEquals("one-click-unsubscribe", w.body().at("/evidence/source/collectionPoint").asText());
        api.awaitDecision(Channel.EMAIL, "newsletter", "anna", "DENY", "WITHDRAWN");
    }

    @Test
    void aMultipartOneClickPostUnsubscribesFromTheTopicOfTheLink() {
        Api api = Api.newTenant().withTopics("ride-offers", "product-updates");
        api.asApp().body(Map.of("topics", List.of("ride-offers", "product-updates"))).put(preferences("bo")).then().statusCode(200);
        Links links = Links.issue(api, "bo", Map.of("topic", "ride-offers"));

        given().redirects().follow(false).multiPart("List-Unsubscribe", "One-Click").post(links.unsubscribePath())
                .then().statusCode(200);
        api.asApp().get(preferences("bo")).then().body("topics", equalTo(List.of("product-updates")));
        assertEquals(0, FakeConsentService.writes(api.tenant).size());
    }

    @Test
    void aPostWithoutTheOneClickBodyAndAGetChangeNothing() {
        Api api = Api.newTenant().withPurposes();
        Links links = Links.issue(api, "cy", Map.of("purpose", "newsletter"));
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "Maybe").post(links.unsubscribePath())
                .then().statusCode(400).contentType("application/problem+json");
        given().get(links.unsubscribePath()).then().statusCode(200).contentType(ContentType.HTML)
                .body(containsString("Do you want to unsubscribe?"));
        assertEquals(0, FakeConsentService.writes(api.tenant).size(), "link scanners that GET the URL unsubscribe nobody");
    }

    @Test
    void aTenantWithAnOAuthClientWithdrawsWithItsClientCredentialsToken() {
        Api api = Api.tenant(FakeConsentService.OAUTH_TENANT).withPurposes();
        String subject = "oauth-" + System.nanoTime();
        api.grantNewsletterAndAwaitIt(subject); // the link withdraws what the projection holds as granted
        Links links = Links.issue(api, subject, Map.of());
        given().contentType(ContentType.URLENC).formParam("List-Unsubscribe", "One-Click").post(links.unsubscribePath())
                .then().statusCode(200);
        FakeConsentService.Write w = FakeConsentService.writes(api.tenant).stream().filter(x -> x.subjectId().equals(subject))
                .findFirst().orElseThrow();
        assertEquals("preference-test", w.tokenSubject(), "the token came from the tenant's OAuth2 client");
        assertEquals("newsletter WITHDRAW", w.body().at("/changes/0/purpose").asText() + " " + w.body().at("/changes/0/action").asText());
    }
}
