package io.samtykke.consent.maintenance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.Api;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class StorageMaintenanceTest {

    @Inject
    StorageMaintenance maintenance;

    @Test
    void publishedOutboxRowsLeaveAfterTheRetentionWhileTheRecordsStay() throws Throwable {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
        api.change("old", "newsletter", "GRANT").statusCode(201);
        api.change("recent", "newsletter", "GRANT").statusCode(201);
        long deadline = System.currentTimeMillis() + 20_000;
        while (api.count("select count(*) from outbox where tenant_id = ? and published_at is not null", api.tenant) < 2) {
            assertTrue(System.currentTimeMillis() < deadline, "the relay published both changes");
            Thread.sleep(50);
        }
        api.count("""
                with u as (update outbox set published_at = now() - interval '8 days'
                           where tenant_id = ? and subject_id = 'old' returning 1)
                select count(*) from u""", api.tenant);

        VertxContextSupport.subscribeAndAwait(() -> maintenance.run());

        assertEquals(0, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'old'", api.tenant),
                "published 8 days ago: past the 7-day retention");
        assertEquals(1, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'recent'", api.tenant));
        assertEquals(1, api.records("old"), "the consent record itself stays");
    }
}
