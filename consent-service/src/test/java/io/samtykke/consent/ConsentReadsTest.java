package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.consent.purpose.PurposeService;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ConsentReadsTest {

    @Test
    void currentStateListsEveryPurposeInOneCall() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.consentPurpose("push-notifications", "PUSH");
        api.change("anna", "newsletter", "GRANT").statusCode(201);
        api.change("anna", "push-notifications", "DENY").statusCode(201);
        api.as("app").get("/v1/subjects/anna/consents").then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("consents", hasSize(2))
                .body("consents.find { it.purpose == 'newsletter' }.state", equalTo("GRANTED"))
                .body("consents.find { it.purpose == 'push-notifications' }.state", equalTo("DENIED"));
    }

    @Test
    void stateAtAnInstantShowsWhatWasTrueThen() {
        Api api = Api.withConsentPurpose("gps-tracking", "LOCATION");
        Instant granted = Instant.parse(api.change("bob", "gps-tracking", "GRANT").statusCode(201)
                .extract().path("records[0].recordedAt"));
        Instant between = afterTheClockPasses(granted);
        afterTheClockPasses(between);
        api.change("bob", "gps-tracking", "WITHDRAW").statusCode(201);
        api.as("auditor").queryParam("at", between.toString()).get("/v1/subjects/bob/consents").then().statusCode(200)
                .body("consents[0].state", equalTo("GRANTED"));
        api.as("auditor").get("/v1/subjects/bob/consents").then().statusCode(200)
                .body("consents[0].state", equalTo("WITHDRAWN"));
        api.as("auditor").queryParam("at", "2001-01-01T00:00:00Z").get("/v1/subjects/bob/consents").then()
                .statusCode(200).body("consents", hasSize(0));
        api.as("auditor").queryParam("at", "yesterday").get("/v1/subjects/bob/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/query/at"));
    }

    @Test
    void historyIsPagedWithACursorInBothDirections() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        for (int i = 0; i < 5; i++) {
            api.change("carl", "newsletter", i % 2 == 0 ? "GRANT" : "WITHDRAW").statusCode(201);
        }
        List<Integer> seqs = new ArrayList<>();
        String cursor = null;
        do {
            var spec = api.as("app").queryParam("limit", 2);
            if (cursor != null) {
                spec.queryParam("cursor", cursor);
            }
            var page = spec.get("/v1/subjects/carl/consents/history").then().statusCode(200).extract();
            seqs.addAll(page.path("records.subjectSeq"));
            cursor = page.path("nextCursor");
        } while (cursor != null);
        assertEquals(List.of(1, 2, 3, 4, 5), seqs);
        String newestFirst = api.as("app").queryParam("order", "desc").queryParam("limit", 1).get("/v1/subjects/carl/consents/history")
                .then().statusCode(200).body("records[0].subjectSeq", equalTo(5))
                .body("records[0].noticeSha256", equalTo(PurposeService.sha256(Api.noticeText("newsletter"))))
                .extract().path("nextCursor");
        api.as("app").queryParam("order", "desc").queryParam("limit", 1).queryParam("cursor", newestFirst)
                .get("/v1/subjects/carl/consents/history").then().statusCode(200)
                .body("records.subjectSeq", equalTo(List.of(4)));
        api.as("app").queryParam("cursor", "garbage!").get("/v1/subjects/carl/consents/history").then().statusCode(400);
        api.as("app").queryParam("limit", 501).get("/v1/subjects/carl/consents/history").then().statusCode(400);
    }

    @Test
    void batchReadAnswersForManySubjectsAndRefusesTooMany() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("u1", "newsletter", "GRANT").statusCode(201);
        api.change("u2", "newsletter", "DENY").statusCode(201);
        List<String> ids = new ArrayList<>(List.of("u1", "u2"));
        IntStream.range(0, 998).forEach(i -> ids.add("nobody-" + i));
        api.as("app").body(Map.of("subjectIds", ids, "purposes", List.of("newsletter")))
                .post("/v1/consents/query").then().statusCode(200)
                .body("subjects", hasSize(1000))
                .body("subjects[0].consents[0].state", equalTo("GRANTED"))
                .body("subjects[1].consents[0].state", equalTo("DENIED"))
                .body("subjects[2].consents", hasSize(0));
        ids.add("one-too-many");
        api.as("app").body(Map.of("subjectIds", ids)).post("/v1/consents/query").then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/too-many-items"));
    }

    @Test
    void aMaterialNoticeChangeAsksForReconsent() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("dina", "newsletter", "GRANT").statusCode(201);
        api.as("app").get("/v1/subjects/dina/consents").then().body("consents[0].reconsentRequired", equalTo(false));
        api.as("admin").body(Map.of("version", "v2", "language", "da", "text", "Nu også med partnertilbud.", "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
        api.as("app").get("/v1/subjects/dina/consents").then().body("consents[0].reconsentRequired", equalTo(true));
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v2"))))
                .post("/v1/subjects/dina/consents").then().statusCode(201);
        api.as("app").get("/v1/subjects/dina/consents").then().body("consents[0].reconsentRequired", equalTo(false))
                .body("consents[0].noticeVersion", equalTo("v2"));
    }

    @Test
    void aTranslationPublishedLaterAsksNobodyToConsentAgainButANewMaterialVersionDoes() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("admin").body(Map.of("version", "v2", "language", "da", "text", "Nu også med partnertilbud.", "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
        api.as("app").body(Map.of("changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v2"))))
                .post("/v1/subjects/ebbe/consents").then().statusCode(201);
        // the English text of v2 and a late English text of v1, both material versions, come out afterwards
        api.as("admin").body(Map.of("version", "v2", "language", "en", "text", "Now with partner offers too.", "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
        api.as("admin").body(Map.of("version", "v1", "language", "en", "text", "Yes to the newsletter.", "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
        api.as("app").get("/v1/subjects/ebbe/consents").then().body("consents[0].reconsentRequired", equalTo(false));
        api.as("admin").body(Map.of("version", "v3", "language", "da", "text", "Nu med sms-tilbud.", "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201);
        api.as("app").get("/v1/subjects/ebbe/consents").then().body("consents[0].reconsentRequired", equalTo(true));
    }

    @Test
    void aGrantPastItsValidityReadsAsExpired() {
        Api api = Api.newTenant();
        api.purpose("analytics-cookies", "COOKIE", "CONSENT", "ANALYTICS", false, "P13M");
        api.change("erik", "analytics-cookies", "GRANT").statusCode(201);
        api.execute("update consent_current set expires_at = now() - interval '1 day' where tenant_id = ?", api.tenant);
        api.as("app").get("/v1/subjects/erik/consents").then().body("consents[0].state", equalTo("EXPIRED"));
        var regranted = api.change("erik", "analytics-cookies", "GRANT").statusCode(201)
                .body("records[0].previousState", equalTo("EXPIRED")).extract().jsonPath();
        assertEquals(Api.expiry(regranted.getString("records[0].recordedAt"), "P13M"),
                Instant.parse(regranted.getString("records[0].expiresAt")), "a new grant is valid for another 13 months");
        api.change("erik", "analytics-cookies", "WITHDRAW").statusCode(201).body("records[0].expiresAt", nullValue());
    }

    /** The first instant of this JVM's clock after {@code instant}: a moment strictly between two writes. */
    private static Instant afterTheClockPasses(Instant instant) {
        return await("the clock passes " + instant).atMost(Duration.ofSeconds(1)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1)).until(Instant::now, now -> now.isAfter(instant));
    }
}
