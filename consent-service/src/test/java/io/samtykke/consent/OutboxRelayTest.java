package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.consent.outbox.OutboxRelay;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.TopicReader;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static io.samtykke.consent.Api.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox relay: every acknowledged change reaches Kafka once or more, in order per subject. */
@QuarkusTest
class OutboxRelayTest {

    @Inject
    OutboxRelay relay;

    @AfterEach
    void relayRuns() {
        relay.start();
    }

    @Test
    void eachSubjectsEventsArriveInTheOrderTheyWereWritten() {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
    void aSlotLockedByAnotherInstanceIsLeftToThatInstance() throws Exception {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
        String mine = "owner-a";
        String theirs = firstSubjectInAnotherSlot(api.tenant, mine);
        int theirSlot = OutboxSlots.slotOf(api.tenant, theirs);
        PostgresServer pg = PostgresServer.shared();
        relay.stop();
        try (Connection other = DriverManager.getConnection(pg.jdbcUrl("consent"), pg.user(), pg.password());
             TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            // "another instance" holds the slot
            try (Statement s = other.createStatement();
                 ResultSet rs = s.executeQuery("select pg_try_advisory_lock(" + (OutboxSlots.LOCK_BASE + theirSlot) + ")")) {
                rs.next();
                assertTrue(rs.getBoolean(1));
            }
            relay.start();
            api.change(mine, "newsletter", "GRANT").statusCode(201);
            api.change(theirs, "newsletter", "GRANT").statusCode(201);
            reader.await(r -> (api.tenant + "/" + mine).equals(r.key()), 1, Duration.ofSeconds(20));
            assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> (api.tenant + "/" + theirs).equals(r.key())).count(), "the other instance's slot is not touched");
            assertTrue(!relay.ownedSlots().contains(theirSlot));
            other.close(); // the other instance dies; its lock goes with its connection
            reader.await(r -> (api.tenant + "/" + theirs).equals(r.key()), 1, Duration.ofSeconds(20));
            assertTrue(relay.ownedSlots().contains(theirSlot), "the slot was taken over");
        }
    }

    @Test
    void aSecondRunningRelayGetsHalfTheSlotsAndWhenItDiesThisOneTakesThemAllBack() throws Exception {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
        awaitOwned(OutboxSlots.COUNT, "alone, the relay owns every slot");
        PostgresServer pg = PostgresServer.shared();
        try (Connection other = DriverManager.getConnection(pg.jdbcUrl("consent"), pg.user(), pg.password());
             TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            // a second instance's relay starts: it joins as a member, then takes the slots that are free
            assertTrue(tryLocks(other, LongStream.range(0, OutboxSlots.MAX_MEMBERS).map(n -> OutboxSlots.MEMBER_BASE + n), true) == 1);
            awaitOwned(OutboxSlots.COUNT / 2, "with two relays running, each owns half");
            assertEquals(2, relay.members());
            Set<Integer> mine = relay.ownedSlots();
            long theirs = tryLocks(other, LongStream.range(0, OutboxSlots.COUNT).filter(s -> !mine.contains((int) s))
                    .map(s -> OutboxSlots.LOCK_BASE + s), false);
            assertEquals(OutboxSlots.COUNT / 2, theirs, "the slots handed back are free for the other relay");

            String subject = subjectInSlotOutside(api.tenant, mine);
            api.change(subject, "newsletter", "GRANT").statusCode(201);
            assertEquals(0, reader.drain(Duration.ofSeconds(2)).stream()
                    .filter(r -> (api.tenant + "/" + subject).equals(r.key())).count(), "the other relay's slot is left to it");

            other.close(); // the other instance dies: its member lock and slots go with its connection
            reader.await(r -> (api.tenant + "/" + subject).equals(r.key()), 1, Duration.ofSeconds(20));
            awaitOwned(OutboxSlots.COUNT, "the survivor owns every slot again");
        }
    }

    private void awaitOwned(int slots, String what) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (relay.ownedSlots().size() != slots) {
            assertTrue(System.currentTimeMillis() < deadline, what + ": owns " + relay.ownedSlots());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Tries each advisory lock on {@code c} (stopping at the first success if {@code firstOnly}); the number taken. */
    private static long tryLocks(Connection c, LongStream lockIds, boolean firstOnly) throws Exception {
        long taken = 0;
        for (long id : lockIds.toArray()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select pg_try_advisory_lock(" + id + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    taken++;
                    if (firstOnly) {
                        break;
                    }
                }
            }
        }
        return taken;
    }

    private static String subjectInSlotOutside(String tenant, Set<Integer> slots) {
        for (int i = 0; ; i++) {
            if (!slots.contains(OutboxSlots.slotOf(tenant, "shared-" + i))) {
                return "shared-" + i;
            }
        }
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
