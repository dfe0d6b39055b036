package io.samtykke.consent.maintenance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.Api;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class StorageMaintenanceTest {

    @Inject
    StorageMaintenance maintenance;

    @Test
    void publishedOutboxRowsLeaveAfterTheRetentionWhileTheRecordsStay() throws Throwable {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("old", "newsletter", "GRANT").statusCode(201);
        api.change("recent", "newsletter", "GRANT").statusCode(201);
        await("the relay published both changes").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.count("select count(*) from outbox where tenant_id = ? and published_at is not null",
                        api.tenant), n -> n == 2);
        api.execute("update outbox set published_at = now() - interval '8 days' where tenant_id = ? and subject_id = 'old'",
                api.tenant);

        VertxContextSupport.subscribeAndAwait(() -> maintenance.run());

        assertEquals(0, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'old'", api.tenant),
                "published 8 days ago: past the 7-day retention");
        assertEquals(1, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'recent'", api.tenant));
        assertEquals(1, api.records("old"), "the consent record itself stays");
    }
}
