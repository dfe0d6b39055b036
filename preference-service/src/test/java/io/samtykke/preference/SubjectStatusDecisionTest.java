package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.contract.Channel;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decisions under what holds for a person as a whole, from samtykke.subject.events.v1: an objection to all direct
 * marketing denies every MARKETING purpose (also one created after it), a restriction denies every purpose; both end
 * with their withdrawal or lifting; redelivered and older events change nothing.
 */
@QuarkusTest
class SubjectStatusDecisionTest {

    @Test
    void anObjectionDeniesEveryMarketingPurposeIncludingLaterOnesUntilItIsWithdrawn() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("mia");
        api.awaitDecision(Channel.EMAIL, "product-news", "mia", "ALLOW", "LEGAL_BASIS");

        SubjectEvent objected = ConsentLedger.recordSubject(api.tenant, "mia", SubjectEventType.OBJECTED);
        api.awaitDecision(Channel.EMAIL, "newsletter", "mia", "DENY", "OBJECTED");
        JsonPath existingCustomer = api.decide(Channel.EMAIL, "product-news", null, "mia");
        assertEquals("DENY", existingCustomer.getString("decisions[0].decision"));
        assertTrue(existingCustomer.getList("decisions[0].reasons.code").contains("OBJECTED"), existingCustomer.prettify());
        JsonPath formal = api.decide(Channel.EMAIL, "service-messages", null, "mia");
        assertEquals("ALLOW", formal.getString("decisions[0].decision"), "formal notices are not direct marketing");
        assertEquals(List.of("EXEMPT_CATEGORY"), formal.getList("decisions[0].reasons.code"));
        // another person of the tenant is not affected
        api.grantNewsletterAndAwaitIt("noa");

        // a marketing purpose the tenant creates after the objection, on another channel, with the person's consent
        api.purpose("ride-offers-push", Channel.PUSH, LegalBasis.CONSENT, PurposeCategory.MARKETING, "Ride offers", "Køretilbud");
        api.grant("mia", "ride-offers-push");
        api.grant("noa", "ride-offers-push");
        api.awaitDecision(Channel.PUSH, "ride-offers-push", "noa", "ALLOW", "CONSENT_GRANTED");
        JsonPath later = api.awaitDecision(Channel.PUSH, "ride-offers-push", "mia", "DENY", "OBJECTED");
        assertTrue(later.getList("decisions[0].reasons.code").contains("CONSENT_GRANTED"), "the grant stands, the objection wins");

        // a redelivery of the objection after it was withdrawn changes nothing
        ConsentLedger.recordSubject(api.tenant, "mia", SubjectEventType.OBJECTION_WITHDRAWN);
        api.awaitDecision(Channel.EMAIL, "newsletter", "mia", "ALLOW", "CONSENT_GRANTED");
        ConsentLedger.publish(objected);
        ConsentLedger.recordSubject(api.tenant, "mia", SubjectEventType.REQUEST_RECEIVED);
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> api.count(
                "select count(*) from projection_subject_status where tenant_id = ? and subject_id = 'mia' and applied_seq = 3",
                api.tenant) == 1);
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "newsletter", null, "mia").getString("decisions[0].decision"),
                "the redelivered objection (subjectseq 1 <= 3 applied) is ignored");
        assertEquals("ALLOW", api.decide(Channel.PUSH, "ride-offers-push", null, "mia").getString("decisions[0].decision"));
    }

    @Test
    void aRestrictionDeniesEveryPurposeButStorageUntilItIsLifted() {
        Api api = Api.newTenant().withPurposes();
        api.grantNewsletterAndAwaitIt("ole");
        api.awaitDecision(Channel.EMAIL, "service-messages", "ole", "ALLOW", "EXEMPT_CATEGORY");

        ConsentLedger.recordSubject(api.tenant, "ole", SubjectEventType.RESTRICTED);
        api.awaitDecision(Channel.EMAIL, "newsletter", "ole", "DENY", "RESTRICTED");
        for (String purpose : List.of("service-messages", "product-news", "sms-offers")) {
            JsonPath answer = api.decide(purpose.equals("sms-offers") ? Channel.SMS : Channel.EMAIL, purpose, null, "ole");
            assertEquals("DENY", answer.getString("decisions[0].decision"), purpose);
            assertTrue(answer.getList("decisions[0].reasons.code").contains("RESTRICTED"), answer.prettify());
        }
        // storage continues: the consent is still projected, and shown with the decision
        assertEquals("GRANTED", api.decide(Channel.EMAIL, "newsletter", null, "ole").getString("decisions[0].consent.state"));

        ConsentLedger.recordSubject(api.tenant, "ole", SubjectEventType.RESTRICTION_LIFTED);
        api.awaitDecision(Channel.EMAIL, "newsletter", "ole", "ALLOW", "CONSENT_GRANTED");
        assertEquals("ALLOW", api.decide(Channel.EMAIL, "service-messages", null, "ole").getString("decisions[0].decision"));
    }
}
