package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.samtykke.consent.Api.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real records on the three consent topics match the JSON Schemas and parse as CloudEvents. */
@QuarkusTest
class EventContractTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void everyTopicCarriesValidCloudEventsOfTheContract() {
        Api api = Api.newTenant();
        api.purpose("newsletter", "EMAIL", "CONSENT", "MARKETING", false, null);
        api.purpose("analytics-cookies", "COOKIE", "CONSENT", "ANALYTICS", false, "P13M");
        api.as("app").header("User-Agent", "samtykke-test").header("traceparent", TRACEPARENT)
                .body(Map.of("changes", List.of(
                                Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1"),
                                Map.of("purpose", "analytics-cookies", "action", "DENY", "noticeVersion", "v1")),
                        "evidence", Map.of("source", Map.of("appId", "web", "platform", "web", "collectionPoint", "banner"),
                                "language", "da", "actor", Map.of("type", "AGENT", "id", "support-7"))))
                .post("/v1/subjects/anna/consents").then().statusCode(201);
        api.change("anna", "newsletter", "WITHDRAW").statusCode(201);

        try (TopicReader events = new TopicReader(Topics.CONSENT_EVENTS);
             TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS);
             TopicReader state = new TopicReader(Topics.CONSENT_STATE)) {
            List<ConsumerRecord<String, byte[]>> all = events.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 3,
                    Duration.ofSeconds(30));
            for (ConsumerRecord<String, byte[]> r : all) {
                ConsentEvent e = EventContract.assertConsentEvent(r);
                assertEquals(api.tenant + "/anna", r.key());
                assertEquals(e.eventId().toString(), header(r, "ce_id"));
                assertEquals(e.purpose(), header(r, "ce_subject"));
            }
            assertEquals(TRACEPARENT, header(all.get(0), "ce_traceparent"), "the caller's trace context is carried");
            ConsentEvent first = EventContract.assertConsentEvent(all.get(0));
            assertEquals("AGENT", first.evidence().actor().type().name());
            // the hash of the notice text the person saw, as the catalog publishes it
            assertEquals(api.as("admin").get("/v1/purposes/newsletter/notices").then().statusCode(200).extract()
                    .jsonPath().getString("notices.find { it.version == 'v1' }.contentSha256"), first.notice().contentSha256());
            assertTrue(first.notice().contentSha256().matches("[0-9a-f]{64}"), first.notice().contentSha256());

            // only the denial and the withdrawal are opt-outs
            List<ConsumerRecord<String, byte[]>> outs = optouts.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 2,
                    Duration.ofSeconds(30));
            assertEquals(List.of("io.samtykke.consent.denied.v1", "io.samtykke.consent.withdrawn.v1"),
                    outs.stream().map(r -> header(r, "ce_type")).sorted().toList());
            outs.forEach(EventContract::assertConsentEvent);
            assertEquals(2, optouts.drain(Duration.ofSeconds(1)).stream()
                    .filter(r -> api.tenant.equals(header(r, "ce_tenantid"))).count(), "no grant on the opt-out topic");

            List<ConsumerRecord<String, byte[]>> snapshots = state.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 3,
                    Duration.ofSeconds(30));
            ConsumerRecord<String, byte[]> latestRecord = snapshots.stream()
                    .filter(r -> "newsletter".equals(header(r, "ce_subject"))).reduce((a, b) -> b).orElseThrow();
            ConsentStateSnapshot latest = EventContract.assertStateSnapshot(latestRecord);
            assertEquals("WITHDRAWN", latest.state().name());
            assertEquals(api.tenant + "/anna/newsletter", latestRecord.key(), "compaction key per subject and purpose");
        }
    }
}
