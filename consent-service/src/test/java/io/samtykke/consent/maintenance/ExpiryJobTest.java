package io.samtykke.consent.maintenance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.Api;
import io.samtykke.consent.record.ConsentApi;
import io.samtykke.consent.record.ConsentService;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class ExpiryJobTest {

    @Inject
    ExpiryJob expiry;

    @Inject
    ConsentService consents;

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

        api.expiredBySystem("old-visitor", 2).body("records[2].purpose", equalTo("analytics-cookies"));
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

    @Test
    void anExpiryPickedBeforeThePersonRenewedTheGrantRecordsNothing() throws Throwable {
        Api api = Api.newTenant();
        api.purpose("analytics-cookies", "COOKIE", "CONSENT", "ANALYTICS", false, "P13M");
        api.change("renewer", "analytics-cookies", "GRANT").statusCode(201);
        // the job picked the grant when it was due, and the person renewed it before the expiry was written:
        // what reaches the write is an EXPIRE for a grant that now runs for another 13 months
        var result = VertxContextSupport.subscribeAndAwait(() -> consents.writeAsSystem(api.tenant, "renewer",
                List.of(new ConsentApi.Change("analytics-cookies", ConsentAction.EXPIRE, null))));
        assertEquals(0, result.body().records().size());
        assertEquals(1, api.records("renewer"), "no EXPIRE record, no opt-out");
        api.as("app").get("/v1/subjects/renewer/consents").then().body("consents[0].state", equalTo("GRANTED"));
    }

    @Test
    void grantsOfAPurposeTakenOutOfUseStillExpire() throws Throwable {
        Api api = Api.newTenant();
        api.purpose("marketing-cookies", "COOKIE", "CONSENT", "MARKETING", false, "P13M");
        api.change("old-fan", "marketing-cookies", "GRANT").statusCode(201);
        api.as("admin").body(java.util.Map.of("names", java.util.Map.of("da", "Marketingcookies"), "channel", "COOKIE",
                "legalBasis", "CONSENT", "category", "MARKETING", "validity", "P13M", "active", false))
                .put("/v1/purposes/marketing-cookies").then().statusCode(200);
        api.count("""
                with u as (update consent_current set expires_at = now() - interval '1 minute' where tenant_id = ? returning 1)
                select count(*) from u""", api.tenant);
        VertxContextSupport.subscribeAndAwait(() -> expiry.run());
        api.expiredBySystem("old-fan", 1);
    }
}
