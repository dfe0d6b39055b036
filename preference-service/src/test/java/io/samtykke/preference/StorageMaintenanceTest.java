package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.preference.maintenance.StorageMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.samtykke.preference.Api.preferences;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Old rows leave the tables after their retention (three months by default); what is current or unfinished stays. */
@QuarkusTest
class StorageMaintenanceTest {

    @Inject
    StorageMaintenance maintenance;

    @Test
    void acknowledgedDeliveriesSendsAndPublishedOutboxRowsLeaveAfterTheirRetentionAndNothingElseDoes() throws Throwable {
        Api api = Api.newTenant().withPurposes().withTopics("news");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            var created = api.asMarketing().body(Map.of("url", receiver.url())).post("/v1/webhooks")
                    .then().statusCode(201).extract().jsonPath();
            receiver.secret(created.getString("secret"));
            String subscription = created.getString("id");
            for (String subject : List.of("old", "recent", "dead")) {
                api.grant(subject, "newsletter");
                api.withdraw(subject, "newsletter");
            }
            receiver.awaitAcknowledged(r -> true, 3, Duration.ofSeconds(20));
            awaitLedger(api, subscription, 3);
            // time passes: "old" was acknowledged four months ago; "dead" gave up as long ago and was never acknowledged
            api.execute("update webhook_delivery set acknowledged_at = now() - interval '120 days' where tenant_id = ? and subject_id = 'old'",
                    api.tenant);
            api.execute("""
                    update webhook_delivery set status = 'DEAD', acknowledged_at = null, dead_at = now() - interval '120 days'
                    where tenant_id = ? and subject_id = 'dead'""", api.tenant);

            Instant now = Instant.now();
            reportSend(api, "old", now.minus(Duration.ofDays(91)));
            reportSend(api, "recent", now.minus(Duration.ofDays(40)));
            reportSend(api, "recent", now);

            for (String subject : List.of("old", "recent")) {
                api.asApp().body(Map.of("topics", List.of("news"))).put(preferences(subject)).then().statusCode(200);
            }
            awaitPublished(api, 2);
            api.execute("update outbox set published_at = now() - interval '8 days' where tenant_id = ? and subject_id = 'old'", api.tenant);
            long attemptsBefore = attempts(api);

            StorageMaintenance.Deleted deleted = VertxContextSupport.subscribeAndAwait(() -> maintenance.run());

            assertEquals(List.of("dead", "recent"), api.asMarketing().get("/v1/webhooks/" + subscription + "/deliveries")
                    .then().statusCode(200).extract().jsonPath().getList("deliveries.subjectId", String.class).stream().sorted().toList(),
                    "the acknowledged delivery of four months ago left the ledger; the dead letter waits for a replay");
            assertEquals(attemptsBefore - 1, attempts(api), "its attempt went with it");
            assertEquals(0, api.count("select count(*) from send where tenant_id = ? and subject_id = 'old'", api.tenant));
            assertEquals(2, api.count("select count(*) from send where tenant_id = ? and subject_id = 'recent'", api.tenant),
                    "a send of 40 days ago is kept (90 days by default)");
            assertEquals(0, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'old'", api.tenant));
            assertEquals(1, api.count("select count(*) from outbox where tenant_id = ? and subject_id = 'recent'", api.tenant));
            assertEquals(1, api.count("select count(*) from preference where tenant_id = ? and subject_id = 'old'", api.tenant),
                    "the preference itself is current and stays");
            assertEquals(1, deleted.deliveries(), "this tenant's rows are the only ones old enough: " + deleted);
        }
    }

    @Test
    void aTenantsOwnRetentionReplacesTheDefaultPerChannelAndForTheLedger() throws Throwable {
        Api api = Api.tenant(TenantRetentionResource.TENANT).withPurposes();
        Api other = Api.newTenant().withPurposes();
        Instant now = Instant.now();
        for (Api a : List.of(api, other)) {
            reportSend(a, "sms-70-days", "SMS", now.minus(Duration.ofDays(70)));
            reportSend(a, "sms-50-days", "SMS", now.minus(Duration.ofDays(50)));
            reportSend(a, "email-200-days", "EMAIL", now.minus(Duration.ofDays(200)));
            reportSend(a, "email-400-days", "EMAIL", now.minus(Duration.ofDays(400)));
        }
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            for (Api a : List.of(api, other)) {
                var created = a.asMarketing().body(Map.of("url", receiver.url())).post("/v1/webhooks")
                        .then().statusCode(201).extract().jsonPath();
                receiver.secret(created.getString("secret"));
                a.grant("acknowledged-120-days-ago", "newsletter");
                a.withdraw("acknowledged-120-days-ago", "newsletter");
                awaitLedger(a, created.getString("id"), 1); // opt-outs are delivered: the withdrawal
                a.execute("update webhook_delivery set acknowledged_at = now() - interval '120 days' where tenant_id = ?", a.tenant);
            }

            VertxContextSupport.subscribeAndAwait(() -> maintenance.run());

            assertEquals(List.of("email-200-days", "sms-50-days"), sent(api),
                    "its SMS sends go after 60 days, its email sends after a year");
            assertEquals(List.of("sms-50-days", "sms-70-days"), sent(other), "another tenant keeps the default of 90 days for every channel");
            assertEquals(1, api.count("select count(*) from webhook_delivery where tenant_id = ?", api.tenant),
                    "its ledger keeps a year");
            assertEquals(0, other.count("select count(*) from webhook_delivery where tenant_id = ?", other.tenant),
                    "the default ledger retention is 90 days");
        }
    }

    private static List<String> sent(Api api) {
        String all = api.text("select coalesce(string_agg(subject_id, ',' order by subject_id), '') from send where tenant_id = ?", api.tenant);
        return all.isEmpty() ? List.of() : List.of(all.split(","));
    }

    private static void reportSend(Api api, String subject, Instant sentAt) {
        reportSend(api, subject, "EMAIL", sentAt);
    }

    private static void reportSend(Api api, String subject, String channel, Instant sentAt) {
        api.asMarketing().body(Map.of("channel", channel, "purpose", "newsletter", "subjectId", subject, "sentAt", sentAt.toString()))
                .post("/v1/sends").then().statusCode(201);
    }

    private static long attempts(Api api) {
        return api.count("select count(*) from webhook_attempt a join webhook_delivery d on d.id = a.delivery_id where d.tenant_id = ?",
                api.tenant);
    }

    private static void awaitLedger(Api api, String subscription, int delivered) {
        await(delivered + " deliveries acknowledged in the ledger").atMost(Api.PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> api.count("select count(*) from webhook_delivery where subscription_id = ?::uuid and status = 'DELIVERED'",
                        subscription) >= delivered);
    }

    private static void awaitPublished(Api api, int rows) {
        await(rows + " outbox rows published").atMost(Api.PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> api.count("select count(*) from outbox where tenant_id = ? and published_at is not null", api.tenant) >= rows);
    }
}
