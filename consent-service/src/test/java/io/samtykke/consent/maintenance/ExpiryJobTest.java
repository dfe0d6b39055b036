package io.samtykke.consent.maintenance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.Api;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ExpiryJobTest {

    @Inject
    ExpiryJob expiry;

    @Test
    void aGrantPastItsValidityIsRecordedAsExpiredAndPublishedAsAnOptOut() throws Throwable {
        Api api = Api.newTenant();
        api.purpose("analytics-cookies", "COOKIE", "CONSENT", "ANALYTICS", false, "P13M");
        api.purpose("marketing-cookies", "COOKIE", "CONSENT", "MARKETING", false, "P13M");
        api.change("old-visitor", "analytics-cookies", "GRANT").statusCode(201);
        api.change("old-visitor", "marketing-cookies", "GRANT").statusCode(201);
        api.count("""
                with u as (update consent_current set expires_at = now() - interval '1 minute'
                           where tenant_id = ? and purpose_key = 'analytics-cookies' returning 1)
                select count(*) from u""", api.tenant);

        // the periodic run may get there first; either way the grant is expired exactly once
        VertxContextSupport.subscribeAndAwait(() -> expiry.run());

        api.as("app").get("/v1/subjects/old-visitor/consents/history").then().statusCode(200)
                .body("records[2].action", equalTo("EXPIRE"))
                .body("records[2].state", equalTo("EXPIRED"))
                .body("records[2].purpose", equalTo("analytics-cookies"))
                .body("records[2].actor.type", equalTo("SYSTEM"));
        api.as("app").get("/v1/subjects/old-visitor/consents").then()
                .body("consents.find { it.purpose == 'marketing-cookies' }.state", equalTo("GRANTED"));
        try (TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            var records = optouts.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 1, Duration.ofSeconds(20));
            assertEquals("io.samtykke.consent.expired.v1", header(records.get(0), "ce_type"));
        }
        // a second run finds nothing left to expire for this tenant
        VertxContextSupport.subscribeAndAwait(() -> expiry.run());
        assertEquals(3, api.records("old-visitor"));
    }
}
