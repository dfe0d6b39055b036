package io.samtykke.preference;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.TenantClient;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What tests need to talk to the service as a real client: a fresh tenant, tokens, a look into PostgreSQL. */
public final class Api extends TenantClient {

    public static final Duration PATIENCE = Duration.ofSeconds(20);

    /** The service's database, as its owner. */
    public static final Database DATABASE = Database.of("preference");

    private Api(String tenant) {
        super(tenant, DATABASE);
    }

    /** A tenant of its own, so tests never see each other's data. */
    public static Api newTenant() {
        return new Api(newTenantId());
    }

    public static Api tenant(String tenant) {
        return new Api(tenant);
    }

    public RequestSpecification as(String role, String subject) {
        return bearer(subject, role).contentType(ContentType.JSON);
    }

    public RequestSpecification asApp() {
        return as("app", "crm-sync");
    }

    public RequestSpecification asMarketing() {
        return as("marketing", "newsletter-tool");
    }

    public RequestSpecification asAdmin() {
        return as("admin", "admin-1");
    }

    public RequestSpecification asSubject(String subjectId) {
        return as("subject", subjectId);
    }

    public static String preferences(String subjectId) {
        return "/v1/subjects/" + subjectId + "/preferences";
    }

    /** Topics in the tenant's catalog, sent under purpose "newsletter", named in English and Danish. */
    public Api withTopics(String... keys) {
        for (String key : keys) {
            topic(key, "newsletter", Map.of("en", "Topic " + key, "da", "Emne " + key));
        }
        return this;
    }

    public Api topic(String key, String purpose, Map<String, String> names) {
        asAdmin().body(Map.of("names", names, "purpose", purpose)).put("/v1/topics/" + key)
                .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
        return this;
    }

    /** A purpose of the tenant's catalog in (the stand-in of) consent-service. */
    public Api purpose(String key, Channel channel, LegalBasis basis, PurposeCategory category, String english, String danish) {
        FakeConsentService.define(tenant, new FakeConsentService.Purpose(key, channel, category, basis,
                Map.of("en", english, "da", danish), Map.of("en", english + ": what it is", "da", danish + ": hvad det er")));
        return this;
    }

    /** The purposes most tests use: an email newsletter, SMS offers, a legitimate-interest mail, service messages. */
    public Api withPurposes() {
        return purpose("newsletter", Channel.EMAIL, LegalBasis.CONSENT, PurposeCategory.MARKETING, "Newsletter", "Nyhedsbrev")
                .purpose("sms-offers", Channel.SMS, LegalBasis.CONSENT, PurposeCategory.MARKETING, "SMS offers", "SMS-tilbud")
                .purpose("product-news", Channel.EMAIL, LegalBasis.EXISTING_CUSTOMER, PurposeCategory.MARKETING,
                        "News about products", "Nyt om produkter")
                .purpose("service-messages", Channel.EMAIL, LegalBasis.CONTRACT, PurposeCategory.SERVICE_MESSAGES,
                        "Service messages", "Servicebeskeder");
    }

    /** Waits until the tenant's purpose catalog, names included, was read from consent-service. */
    public Api catalogRead() {
        await("the purpose catalog of " + tenant + " was read").atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> count("select count(*) from purpose_sync where tenant_id = ?", tenant) > 0);
        return this;
    }

    /** A consent change as consent-service publishes it (events, opt-outs, state topics). */
    public ConsentEvent consent(String subjectId, String purpose, ConsentAction action, ConsentState state) {
        return ConsentLedger.record(tenant, subjectId, FakeConsentService.purpose(tenant, purpose), action, state, null);
    }

    public ConsentEvent grant(String subjectId, String purpose) {
        return consent(subjectId, purpose, ConsentAction.GRANT, ConsentState.GRANTED);
    }

    public ConsentEvent withdraw(String subjectId, String purpose) {
        return consent(subjectId, purpose, ConsentAction.WITHDRAW, ConsentState.WITHDRAWN);
    }

    /** Grants the email newsletter and waits until the decisions allow it (the projection is asynchronous). */
    public void grantNewsletterAndAwaitIt(String subjectId) {
        grant(subjectId, "newsletter");
        awaitDecision(Channel.EMAIL, "newsletter", subjectId, "ALLOW", "CONSENT_GRANTED");
    }

    /** POST /v1/decisions as a marketing tool; the answer's JSON. */
    public JsonPath decide(Channel channel, String purpose, String topic, String... subjectIds) {
        Map<String, Object> body = new HashMap<>();
        body.put("channel", channel.name());
        if (purpose != null) {
            body.put("purpose", purpose);
        }
        if (topic != null) {
            body.put("topic", topic);
        }
        body.put("subjectIds", Arrays.asList(subjectIds));
        return asMarketing().body(body).post("/v1/decisions").then().statusCode(200).extract().jsonPath();
    }

    /** Asks until the subject's decision satisfies {@code until} (the projection is asynchronous); the last answer. */
    public JsonPath awaitDecision(Channel channel, String purpose, String topic, String subjectId, Predicate<JsonPath> until) {
        AtomicReference<JsonPath> last = new AtomicReference<>();
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            JsonPath answer = decide(channel, purpose, topic, subjectId);
            last.set(answer);
            assertTrue(until.test(answer), () -> "the decision did not change as expected: " + answer.prettify());
        });
        return last.get();
    }

    /** Waits until the decision for one subject is {@code verdict} with {@code reason} among its reasons. */
    public JsonPath awaitDecision(Channel channel, String purpose, String subjectId, String verdict, String reason) {
        return awaitDecision(channel, purpose, null, subjectId, a -> verdict.equals(a.getString("decisions[0].decision"))
                && a.getList("decisions[0].reasons.code").contains(reason));
    }

    /** Rows in {@code preference} plus rows in {@code outbox} for this tenant: zero means nothing was written. */
    public long writesFor(String subjectId) {
        return count("select count(*) from preference where tenant_id = ? and subject_id = ?", tenant, subjectId)
                + count("select count(*) from outbox where tenant_id = ? and subject_id = ?", tenant, subjectId);
    }

}
