package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.contract.Channel;
import org.junit.jupiter.api.Test;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** POST /v1/decisions and /v1/sends as a marketing tool uses them. */
@QuarkusTest
class DecisionApiTest {

    static final String PROBLEM = "application/problem+json";

    @Test
    void formalNoticesAreAllowedWithoutAnyConsentOnceTheCatalogIsReadFromConsentService() {
        Api api = Api.newTenant().withPurposes();
        JsonPath answer = api.awaitDecision(Channel.EMAIL, "service-messages", "never-asked", "ALLOW", "EXEMPT_CATEGORY");
        assertEquals(List.of("EXEMPT_CATEGORY"), answer.getList("decisions[0].reasons.code"));
        assertNull(answer.get("decisions[0].consent"), "no consent is involved");
        assertEquals(1, api.count("select count(*) from purpose where tenant_id = ? and key = 'service-messages' "
                + "and category = 'SERVICE_MESSAGES' and names ->> 'da' = 'Servicebeskeder'", api.tenant),
                "the catalog, names included, came from consent-service");
    }

    @Test
    void aBatchOfTenThousandSubjectsGetsOneAnswerEachInRequestOrder() {
        Api api = Api.newTenant().withPurposes();
        api.grant("u-0042", "newsletter");
        api.grant("u-9999", "newsletter");
        api.awaitDecision(Channel.EMAIL, "newsletter", "u-9999", "ALLOW", "CONSENT_GRANTED");
        String[] ids = IntStream.range(0, 10_000).mapToObj(i -> "u-" + String.format("%04d", i)).toArray(String[]::new);
        JsonPath answer = api.decide(Channel.EMAIL, "newsletter", null, ids);
        List<String> subjects = answer.getList("decisions.subjectId");
        List<String> verdicts = answer.getList("decisions.decision");
        assertEquals(List.of(ids), subjects);
        assertEquals("ALLOW", verdicts.get(42));
        assertEquals("ALLOW", verdicts.get(9999));
        assertEquals(9998, verdicts.stream().filter("DENY"::equals).count());
        assertEquals(List.of("NO_CONSENT"), answer.getList("decisions[7].reasons.code"));

        List<String> tooMany = new ArrayList<>(List.of(ids));
        tooMany.add("u-10000");
        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectIds", tooMany))
                .post("/v1/decisions").then().statusCode(413).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/too-many-items"));
    }

    @Test
    void aTopicDecisionNeedsTheTopicsPurposeAndTheSubjectFollowingTheTopic() {
        Api api = Api.newTenant().withPurposes().withTopics("ride-offers", "product-updates");
        api.asSubject("ida").body(Map.of("topics", List.of("ride-offers"))).put(preferences("ida")).then().statusCode(200);
        api.grant("ida", "newsletter");
        api.awaitDecision(Channel.EMAIL, null, "ride-offers", "ida", a -> "ALLOW".equals(a.getString("decisions[0].decision")));
        JsonPath other = api.decide(Channel.EMAIL, null, "product-updates", "ida");
        assertEquals("DENY", other.getString("decisions[0].decision"));
        assertEquals(List.of("CONSENT_GRANTED", "TOPIC_UNSUBSCRIBED"), other.getList("decisions[0].reasons.code"));
        assertEquals("newsletter", other.getString("purpose"));

        api.asMarketing().body(Map.of("channel", "EMAIL", "topic", "casino", "subjectId", "ida")).post("/v1/decisions")
                .then().statusCode(400).contentType(PROBLEM).body("errors.pointer", hasItem("/topic"));
        api.asMarketing().body(Map.of("channel", "EMAIL", "topic", "ride-offers", "purpose", "sms-offers", "subjectId", "ida"))
                .post("/v1/decisions").then().statusCode(400).contentType(PROBLEM)
                .body("errors.pointer", hasItem("/purpose")).body("detail", containsString("sent under purpose 'newsletter'"));
    }

    @Test
    void quietHoursInTheSubjectsOwnTimeZoneDeny() {
        Api api = Api.newTenant().withPurposes();
        String zone = "Pacific/Auckland";
        LocalTime there = LocalTime.now(ZoneId.of(zone));
        DateTimeFormatter hhmm = DateTimeFormatter.ofPattern("HH:mm");
        api.asApp().body(Map.of("quietHours", Map.of("start", there.minusHours(1).format(hhmm), "end", there.plusHours(1).format(hhmm)),
                "timeZone", zone)).put(preferences("jo")).then().statusCode(200);
        api.grant("jo", "newsletter");
        JsonPath answer = api.awaitDecision(Channel.EMAIL, "newsletter", "jo", "DENY", "QUIET_HOURS");
        assertEquals(List.of("CONSENT_GRANTED", "QUIET_HOURS"), answer.getList("decisions[0].reasons.code"));
        assertTrue(answer.getString("decisions[0].reasons[1].detail").contains(zone));
    }

    @Test
    void reportedSendsCountAgainstTheFrequencyCapOnceEach() {
        Api api = Api.newTenant().withPurposes();
        api.asApp().body(Map.of("frequencyCaps", Map.of("EMAIL", Map.of("max", 2, "per", "WEEK")))).put(preferences("kim"))
                .then().statusCode(200);
        api.grantNewsletterAndAwaitIt("kim");

        send(api, "newsletter", "march-1").body("recorded", equalTo(1)).body("ignored", equalTo(0));
        send(api, "newsletter", "march-1").body("recorded", equalTo(0)).body("ignored", equalTo(1));
        send(api, "service-messages", "receipt-1").body("recorded", equalTo(1));
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "newsletter", null, "kim").getString("decisions[0].decision"),
                "one newsletter and a receipt: below the cap of 2");

        send(api, "newsletter", "march-2").body("recorded", equalTo(1));
        JsonPath capped = api.decide(Channel.EMAIL, "newsletter", null, "kim");
        assertEquals("DENY", capped.getString("decisions[0].decision"));
        assertEquals(List.of("CONSENT_GRANTED", "FREQUENCY_CAP_REACHED"), capped.getList("decisions[0].reasons.code"));
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "service-messages", null, "kim").getString("decisions[0].decision"),
                "a cap never holds back a formal notice");

        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "kim",
                        "sentAt", "2099-01-01T00:00:00Z")).post("/v1/sends")
                .then().statusCode(400).contentType(PROBLEM).body("errors.pointer", hasItem("/sentAt"));
    }

    @Test
    void anExistingCustomerPurposeIsAllowedWithoutConsentUntilThePersonObjects() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("lea");
        // the purpose catalog arrives by its own events, perhaps on another partition than lea's consent
        api.awaitDecision(Channel.EMAIL, "product-news", "lea", "ALLOW", "LEGAL_BASIS");
        assertEquals(List.of("LEGAL_BASIS"), api.decide(Channel.EMAIL, "product-news", null, "lea").getList("decisions[0].reasons.code"));
        api.consent("lea", "product-news", io.samtykke.contract.ConsentAction.WITHDRAW, io.samtykke.contract.ConsentState.OBJECTED);
        api.awaitDecision(Channel.EMAIL, "product-news", "lea", "DENY", "OBJECTED");
    }

    @Test
    void aPurposeThatConsentServiceDoesNotKnowIsDenied() {
        Api api = Api.newTenant().withPurposes();
        JsonPath answer = api.decide(Channel.EMAIL, "lottery", null, "max");
        assertEquals("DENY", answer.getString("decisions[0].decision"));
        assertEquals(List.of("UNKNOWN_PURPOSE"), answer.getList("decisions[0].reasons.code"));
    }

    @Test
    void decisionsNeedTheMarketingRoleAndSeeOnlyTheCallersTenant() {
        Api acme = Api.newTenant().withPurposes();
        Api other = Api.newTenant().withPurposes();
        acme.grant("ned", "newsletter");
        acme.awaitDecision(Channel.EMAIL, "newsletter", "ned", "ALLOW", "CONSENT_GRANTED");
        other.awaitDecision(Channel.EMAIL, "newsletter", "ned", "DENY", "NO_CONSENT");
        acme.asApp().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "ned")).post("/v1/decisions")
                .then().statusCode(403).contentType(PROBLEM);
        acme.asSubject("ned").body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectId", "ned")).post("/v1/sends")
                .then().statusCode(403).contentType(PROBLEM);
    }

    @Test
    void invalidDecisionRequestsAreRefusedNamingEveryField() {
        Api api = Api.newTenant();
        api.asMarketing().body(Map.of("subjectIds", List.of("ok"), "subjectId", "x")).post("/v1/decisions")
                .then().statusCode(400).contentType(PROBLEM)
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors.pointer", org.hamcrest.Matchers.containsInAnyOrder("/channel", "/purpose", "/subjectIds"));
        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectIds", List.of("ok", "bad/id", "-x")))
                .post("/v1/decisions").then().statusCode(400).contentType(PROBLEM)
                .body("errors.pointer", org.hamcrest.Matchers.contains("/subjectIds/1", "/subjectIds/2"));
        api.asMarketing().body(Map.of("channel", "FAX", "purpose", "newsletter", "subjectId", "x")).post("/v1/decisions")
                .then().statusCode(400).contentType(PROBLEM).body("detail", containsString("'FAX' is not one of"));
        api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", "newsletter", "subjectIds", List.of())).post("/v1/decisions")
                .then().statusCode(400).contentType(PROBLEM).body("errors.pointer", hasItem("/subjectIds"));
    }

    private static io.restassured.response.ValidatableResponse send(Api api, String purpose, String messageId) {
        return api.asMarketing().body(Map.of("channel", "EMAIL", "purpose", purpose, "messageId", messageId, "subjectIds", List.of("kim")))
                .post("/v1/sends").then().statusCode(201);
    }
}
