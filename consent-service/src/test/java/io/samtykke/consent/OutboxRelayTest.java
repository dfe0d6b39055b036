package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.consent.outbox.ConsentOutboxRelay;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static io.restassured.RestAssured.given;
import static io.samtykke.consent.Api.header;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox relay: every acknowledged change reaches Kafka once or more, in order per subject. */
@QuarkusTest
class OutboxRelayTest {

    @Inject
    ConsentOutboxRelay relay;

    @AfterEach
    void relayRuns() {
        relay.start();
    }

    @Test
    void eachSubjectsEventsArriveInTheOrderTheyWereWritten() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        List<String> subjects = List.of("s1", "s2", "s3");
        for (int i = 0; i < 8; i++) {
            for (String s : subjects) {
                api.change(s, "newsletter", i % 2 == 0 ? "GRANT" : "WITHDRAW").statusCode(201);
            }
        }
        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            List<ConsumerRecord<String, byte[]>> records = reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")),
                    24, Duration.ofSeconds(30));
            assertInOrderWithoutGaps(records, subjects, 8);
        }
    }

    @Test
    void changesWrittenWhileTheRelayIsDownArePublishedWhenItComesBack() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        relay.stop();
        for (int i = 0; i < 6; i++) {
            api.change("down-" + (i % 2), "newsletter", i < 2 ? "GRANT" : (i < 4 ? "WITHDRAW" : "GRANT")).statusCode(201);
        }
        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> api.tenant.equals(header(r, "ce_tenantid"))).count(), "nothing is published while down");
            assertEquals(6, api.count("select count(*) from outbox where tenant_id = ? and published_at is null", api.tenant));
            relay.start();
            List<ConsumerRecord<String, byte[]>> records = reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")),
                    6, Duration.ofSeconds(30));
            assertInOrderWithoutGaps(records, List.of("down-0", "down-1"), 3);
        }
    }

    @Test
    void aCrashBetweenPublishingAndMarkingRepublishesWithTheSameEventIds() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        for (int i = 0; i < 4; i++) {
            api.change("crash", "newsletter", i % 2 == 0 ? "GRANT" : "WITHDRAW").statusCode(201);
        }
        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 4, Duration.ofSeconds(30));
            // the state a crash leaves behind: sent to Kafka, but the "published" mark never committed
            relay.stop();
            api.count("with u as (update outbox set published_at = null where tenant_id = ? returning 1) select count(*) from u",
                    api.tenant);
            relay.start();
            List<ConsumerRecord<String, byte[]>> records = reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")),
                    8, Duration.ofSeconds(30));
            Set<String> ids = new LinkedHashSet<>();
            records.forEach(r -> ids.add(header(r, "ce_id")));
            assertEquals(4, ids.size(), "duplicates carry the ids of the originals");
            assertInOrderWithoutGaps(records, List.of("crash"), 4);
        }
    }

    @Test
    void aSlotLockedByAnotherInstanceMidBatchIsLeftToItUntilItsTransactionEnds() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        String mine = "owner-a";
        String theirs = firstSubjectInAnotherSlot(api.tenant, mine);
        int theirSlot = OutboxSlots.slotOf(api.tenant, theirs);
        try (Connection other = Api.DATABASE.connect();
             TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            // "another instance" is publishing that slot: it holds the slot's lock in its transaction
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + (OutboxSlots.LOCK_BASE + theirSlot) + ")");
            }
            api.change(mine, "newsletter", "GRANT").statusCode(201);
            api.change(theirs, "newsletter", "GRANT").statusCode(201);
            reader.await(r -> (api.tenant + "/" + mine).equals(r.key()), 1, Duration.ofSeconds(20));
            assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> (api.tenant + "/" + theirs).equals(r.key())).count(), "the other instance's slot is not touched");
            other.rollback(); // its batch ends (or it dies): the slot is free at once
            reader.await(r -> (api.tenant + "/" + theirs).equals(r.key()), 1, Duration.ofSeconds(20));
        }
    }

    @Test
    void anOutboxRowThatCannotBecomeARecordHoldsBackOnlyItsSubjectAndIsReportedWithItsCause() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.change("victim", "newsletter", "GRANT").statusCode(201);
        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")), 1, Duration.ofSeconds(20));
            relay.stop();
            String original = api.text("select payload from outbox where tenant_id = ? and subject_id = 'victim'", api.tenant);
            // a row no release of the code can read (say, written by a broken migration), ahead of the subject's next change
            api.count("with u as (update outbox set payload = '{\"eventId\": 1', published_at = null"
                    + " where tenant_id = ? and subject_id = 'victim' returning 1) select count(*) from u", api.tenant);
            relay.start();
            api.change("victim", "newsletter", "WITHDRAW").statusCode(201);
            for (int i = 0; i < 5; i++) {
                api.change("bystander-" + i, "newsletter", "GRANT").statusCode(201);
            }
            reader.await(r -> api.tenant.equals(header(r, "ce_tenantid")) && r.key().contains("/bystander-"), 5,
                    Duration.ofSeconds(20));
            assertEquals(1, reader.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> (api.tenant + "/victim").equals(r.key())).count(), "the victim's withdrawal waits behind the broken row");
            String error = api.text("select publish_error from outbox where tenant_id = ? and subject_id = 'victim' and subject_seq = 1",
                    api.tenant);
            assertTrue(error != null && error.contains("cannot be turned into a Kafka record") && !error.contains("(null)"), error);
            given().get("/q/health/live").then().body("checks.find { it.name == 'outbox' }.data.failedRows", is("1"));
            given().get("/q/metrics").then().body(containsString("samtykke_outbox_failed 1.0"));

            // the operator repairs the row: both of the victim's events go out, in order
            api.count("with u as (update outbox set payload = ? where tenant_id = ? and subject_id = 'victim' and subject_seq = 1"
                    + " returning 1) select count(*) from u", original, api.tenant);
            List<ConsumerRecord<String, byte[]>> victim = reader.await(r -> (api.tenant + "/victim").equals(r.key()), 3,
                    Duration.ofSeconds(20));
            assertEquals(List.of("1", "1", "2"), victim.stream().map(r -> header(r, "ce_subjectseq")).toList());
        }
    }

    @Test
    void anOutboxNobodyPublishesWhileKafkaAnswersTurnsLivenessDownAndUpAgainWhenItDrains() throws Exception {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        try (Connection hung = Api.DATABASE.connect()) {
            // a hung instance sits on every slot
            hung.setAutoCommit(false);
            try (Statement s = hung.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + OutboxSlots.LOCK_BASE + " + s) from generate_series(0, "
                        + (OutboxSlots.COUNT - 1) + ") as s");
            }
            api.change("waiting", "newsletter", "GRANT").statusCode(201);
            awaitLiveness(503, Duration.ofSeconds(20));
            given().get("/q/health/live").then()
                    .body("checks.find { it.name == 'outbox' }.data.reason", containsString("while Kafka answers"));
            hung.rollback();
            awaitLiveness(200, Duration.ofSeconds(20));
        }
    }

    private static void awaitLiveness(int status, Duration timeout) {
        await("liveness turns " + status).atMost(timeout).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> given().get("/q/health/live").then().statusCode(status));
    }

    private static String firstSubjectInAnotherSlot(String tenant, String subject) {
        int slot = OutboxSlots.slotOf(tenant, subject);
        for (int i = 0; ; i++) {
            if (OutboxSlots.slotOf(tenant, "owner-b" + i) != slot) {
                return "owner-b" + i;
            }
        }
    }

    /** Per subject, the first occurrence of each event must come in subjectseq order 1..n. */
    static void assertInOrderWithoutGaps(List<ConsumerRecord<String, byte[]>> records, List<String> subjects, int perSubject) {
        Map<String, List<Long>> firstSeen = new LinkedHashMap<>();
        Map<String, Set<String>> ids = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String subject = r.key().substring(r.key().indexOf('/') + 1);
            if (ids.computeIfAbsent(subject, k -> new LinkedHashSet<>()).add(header(r, "ce_id"))) {
                firstSeen.computeIfAbsent(subject, k -> new ArrayList<>()).add(Long.parseLong(header(r, "ce_subjectseq")));
            }
        }
        for (String s : subjects) {
            assertEquals(LongStream.rangeClosed(1, perSubject).boxed().toList(), firstSeen.get(s), "order of " + s);
        }
    }
}
