package io.samtykke.preference;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.Channel;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Topics;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.PreferenceEvent;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.QuietHours;
import io.samtykke.contract.Schemas;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.samtykke.preference.Api.preferences;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The wiring end to end: a PUT lands in PostgreSQL and reaches a real Kafka consumer as a CloudEvent. */
@QuarkusTest
class PreferenceFlowTest {

    static final Map<String, Object> ANNA = Map.of(
            "topics", List.of("ride-offers", "product-updates"),
            "frequencyCaps", Map.of("EMAIL", Map.of("max", 2, "per", "WEEK")),
            "quietHours", Map.of("start", "22:00", "end", "07:00"),
            "timeZone", "Europe/Copenhagen",
            "language", "da",
            "preferredChannel", "PUSH");

    @Test
    void storedPreferencesArePublishedToKafkaAsACloudEvent() {
        Api api = Api.newTenant().withTopics("ride-offers", "product-updates");
        api.asSubject("anna").header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .body(ANNA).put(preferences("anna"))
                .then().statusCode(200)
                .header("ETag", "\"1\"")
                .body("topics", contains("ride-offers", "product-updates"))
                .body("frequencyCaps.EMAIL.max", equalTo(2))
                .body("frequencyCaps.EMAIL.per", equalTo("WEEK"))
                .body("quietHours.start", equalTo("22:00"))
                .body("timeZone", equalTo("Europe/Copenhagen"))
                .body("preferredChannel", equalTo("PUSH"));

        assertEquals(1, api.count("""
                select count(*) from preference where tenant_id = ? and subject_id = 'anna' and version = 1
                  and topics = '["ride-offers", "product-updates"]'::jsonb
                  and frequency_caps = '{"EMAIL": {"max": 2, "per": "WEEK"}}'::jsonb
                  and quiet_hours = '{"start": "22:00", "end": "07:00"}'::jsonb
                  and time_zone = 'Europe/Copenhagen' and language = 'da' and preferred_channel = 'PUSH'""", api.tenant),
                "the row in PostgreSQL holds what was sent");

        try (TopicReader reader = new TopicReader(Topics.PREFERENCE_EVENTS)) {
            ConsumerRecord<String, byte[]> record = reader.await(r -> (api.tenant + "/anna").equals(r.key()), 1,
                    Duration.ofSeconds(20)).get(0);
            assertEquals("1.0", header(record, "ce_specversion"));
            assertEquals(PreferenceEvent.TYPE, header(record, "ce_type"));
            assertEquals("/samtykke/preference-service", header(record, "ce_source"));
            assertEquals(api.tenant, header(record, "ce_tenantid"));
            assertEquals("1", header(record, "ce_subjectseq"));
            assertEquals(api.tenant + "/anna", header(record, "ce_partitionkey"));
            assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", header(record, "ce_traceparent"));
            assertEquals("application/json", header(record, "content-type"));
            assertEquals(Schemas.PREFERENCE_EVENT, header(record, "ce_dataschema"));
            assertNull(header(record, "ce_subject"), "preference events concern no purpose");
            // CloudEvents SDK parse, headers against the AsyncAPI document, payload against its JSON Schema, and both agree
            PreferenceEvent event = EventContract.assertPreferenceEvent(record);
            assertEquals(UUID.fromString(header(record, "ce_id")), event.eventId());
            assertEquals(Instant.parse(header(record, "ce_time")), event.updatedAt());
            assertEquals(api.tenant, event.tenantId());
            assertEquals("anna", event.subjectId());
            assertEquals(1, event.version());
            assertEquals(new Preferences(List.of("ride-offers", "product-updates"),
                    Map.of(Channel.EMAIL, new FrequencyCap(2, FrequencyCap.Period.WEEK)),
                    new QuietHours("22:00", "07:00"), "Europe/Copenhagen", "da", Channel.PUSH), event.preferences());
        }
    }

    @Test
    void everyChangeIsPublishedInOrderWithItsVersionAsSubjectSeq() {
        Api api = Api.newTenant().withTopics("news", "offers", "surveys");
        for (String topic : List.of("news", "offers", "surveys")) {
            api.asApp().body(Map.of("topics", List.of(topic))).put(preferences("bo")).then().statusCode(200);
        }
        try (TopicReader reader = new TopicReader(Topics.PREFERENCE_EVENTS)) {
            List<ConsumerRecord<String, byte[]>> records = reader.await(r -> (api.tenant + "/bo").equals(r.key()), 3,
                    Duration.ofSeconds(20));
            assertEquals(List.of("1", "2", "3"), records.stream().map(r -> header(r, "ce_subjectseq")).toList());
            assertEquals(List.of(List.of("news"), List.of("offers"), List.of("surveys")), records.stream()
                    .map(r -> EventJson.read(r.value(), PreferenceEvent.class).preferences().topics()).toList());
        }
    }

    @Test
    void readAnswersWhatWasStoredWithItsVersionAsETag() {
        Api api = Api.newTenant().withTopics("ride-offers", "product-updates");
        api.asApp().body(ANNA).put(preferences("anna")).then().statusCode(200).header("ETag", "\"1\"");
        String lastModified = api.asSubject("anna").get(preferences("anna"))
                .then().statusCode(200)
                .header("ETag", "\"1\"")
                .body("topics", contains("ride-offers", "product-updates"))
                .body("quietHours.end", equalTo("07:00"))
                .body("language", equalTo("da"))
                .extract().header("Last-Modified");
        assertEquals(1, api.count("select count(*) from preference where tenant_id = ? and subject_id = 'anna'"
                        + " and date_trunc('second', updated_at) = ?::timestamptz", api.tenant,
                ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toString()),
                "Last-Modified is the stored change time, in HTTP date format: " + lastModified);

        api.asSubject("anna").body(Map.of("topics", List.of("product-updates"), "language", "en"))
                .put(preferences("anna")).then().statusCode(200).header("ETag", "\"2\"");
        api.asSubject("anna").get(preferences("anna"))
                .then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("topics", contains("product-updates"))
                .body("language", equalTo("en"))
                .body("quietHours", nullValue())
                .body("timeZone", nullValue())
                .body("frequencyCaps.size()", equalTo(0));
    }

    @Test
    void subjectWithoutPreferencesReadsEmptyPreferencesAtVersionZero() {
        Api api = Api.newTenant();
        api.asSubject("new-person").get(preferences("new-person"))
                .then().statusCode(200)
                .header("ETag", "\"0\"")
                .body("topics", empty())
                .body("preferredChannel", nullValue());
        assertEquals(0, api.writesFor("new-person"), "a read stores nothing");
    }

    @Test
    void writeWithAStaleETagIsRefusedAndTheNewerPreferencesStay() {
        Api api = Api.newTenant().withTopics("news", "offers", "surveys");
        api.asApp().body(Map.of("topics", List.of("news"))).put(preferences("cy")).then().statusCode(200);
        api.asApp().header("If-Match", "\"1\"").body(Map.of("topics", List.of("offers")))
                .put(preferences("cy")).then().statusCode(200).header("ETag", "\"2\"");

        api.asApp().header("If-Match", "\"1\"").body(Map.of("topics", List.of("surveys")))
                .put(preferences("cy"))
                .then().statusCode(412)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/precondition-failed"));

        api.asApp().get(preferences("cy")).then().statusCode(200).header("ETag", "\"2\"").body("topics", contains("offers"));
        assertEquals(2, api.count("select count(*) from outbox where tenant_id = ?", api.tenant), "no event for the refused write");
    }

    @Test
    void writeThatChangesNothingKeepsTheVersionAndPublishesNothing() {
        Api api = Api.newTenant().withTopics("ride-offers", "product-updates");
        api.asApp().body(ANNA).put(preferences("dea")).then().statusCode(200).header("ETag", "\"1\"");
        api.asSubject("dea").body(ANNA).put(preferences("dea")).then().statusCode(200).header("ETag", "\"1\"");
        assertEquals(1, api.count("select count(*) from outbox where tenant_id = ?", api.tenant));
    }

    @Test
    void anAppSeesOnlyItsOwnTenantsPreferences() {
        Api acme = Api.newTenant().withTopics("ride-offers", "product-updates");
        Api other = Api.newTenant();
        acme.asApp().body(ANNA).put(preferences("anna")).then().statusCode(200);
        other.asApp().get(preferences("anna")).then().statusCode(200).header("ETag", "\"0\"").body("topics", empty());
    }

    @Test
    void topicsOutsideTheTenantsCatalogAreRefusedAndNothingIsStored() {
        Api api = Api.newTenant().withTopics("news");
        api.asApp().body(Map.of("topics", List.of("news", "casino-offers"))).put(preferences("eve"))
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors.pointer", contains("/topics/1"))
                .body("errors[0].detail", containsString("not an active topic"));
        assertEquals(0, api.count("select count(*) from outbox where tenant_id = ?", api.tenant));
    }

    static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
