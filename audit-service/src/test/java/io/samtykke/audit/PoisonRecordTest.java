package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.KafkaBroker;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records that pass every check of the contract yet can never be stored (poison) are dead-lettered with the reason,
 * and every valid record around them, of every tenant, is still logged once with dense seqs. All records of a test go
 * to one partition, in the order sent, so the valid ones after a poison record are read (and mostly batched) with it.
 */
@QuarkusTest
class PoisonRecordTest {

    private static final int PARTITION = 0;
    /** The strict reading of the service kit refuses it first, before the entry code would. */
    private static final String SURROGATE_REASON =
            "the payload cannot be read as plain JSON values: the text contains a lone surrogate U+D800 at position 0 (not Unicode text)";

    @Test
    void aLoneSurrogateOrAnEventTimeBeyondTheYear9999IsDeadLetteredAndIngestionGoesOn() {
        Auditor a = Auditor.newTenant();
        Auditor b = Auditor.newTenant();
        ConsentEvent a1 = send(Events.consent(a.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        ConsentEvent b1 = send(Events.consent(b.tenant, "bo", "newsletter", ConsentState.GRANTED, 1));

        // valid JSON and valid by the schema (userAgent is any string), but no canonical JSON holds a lone surrogate
        ProducerRecord<String, byte[]> surrogate = Events.record(Events.consent(a.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 2));
        String json = new String(surrogate.value(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"userAgent\":\"TaxaApp/5.2\""), json);
        byte[] loneSurrogate = json.replace("\"userAgent\":\"TaxaApp/5.2\"", "\"userAgent\":\"\\ud800\"").getBytes(StandardCharsets.UTF_8);
        send(new ProducerRecord<>(surrogate.topic(), PARTITION, surrogate.key(), loneSurrogate, surrogate.headers()));

        // an RFC 3339 time Java parses and PostgreSQL cannot store
        ProducerRecord<String, byte[]> farFuture = Events.record(Events.consent(b.tenant, "bo", "newsletter", ConsentState.WITHDRAWN, 2));
        farFuture.headers().remove("ce_time").add("ce_time", "+300000-01-01T00:00:00Z".getBytes(StandardCharsets.UTF_8));
        send(farFuture);

        ConsentEvent a2 = send(Events.consent(a.tenant, "anna", "newsletter", ConsentState.DENIED, 3));
        ConsentEvent b2 = send(Events.consent(b.tenant, "bo", "newsletter", ConsentState.DENIED, 3));

        assertLog(a, 1, a1, a2);
        assertLog(b, 1, b1, b2);
        try (TopicReader dlq = new TopicReader(Topics.deadLetter("audit-service"))) {
            Set<String> keys = Set.of(surrogate.key(), farFuture.key());
            List<ConsumerRecord<String, byte[]>> letters = dlq.await(r -> keys.contains(r.key()), 2, Duration.ofSeconds(15));
            assertEquals(2, dlq.drain(Duration.ofMillis(500)).stream().filter(r -> keys.contains(r.key())).count(),
                    "only the two poison records are dead letters");
            Map<String, ConsumerRecord<String, byte[]>> byKey = Map.of(letters.get(0).key(), letters.get(0),
                    letters.get(1).key(), letters.get(1));
            ConsumerRecord<String, byte[]> surrogateLetter = byKey.get(surrogate.key());
            assertEquals(SURROGATE_REASON, reason(surrogateLetter));
            assertArrayEquals(loneSurrogate, surrogateLetter.value(), "the record as it was received");
            assertEquals(Topics.CONSENT_EVENTS, header(surrogateLetter, "dead-letter-topic"));
            ConsumerRecord<String, byte[]> farFutureLetter = byKey.get(farFuture.key());
            assertEquals("ce_time +300000-01-01T00:00:00Z is outside the years 1 to 9999 the log stores", reason(farFutureLetter));
            assertEquals("+300000-01-01T00:00:00Z", header(farFutureLetter, "ce_time"), "with its own headers");
        }

        // the operator's view: each tenant lists its own dead letters, with where they were and why
        io.restassured.path.json.JsonPath listed = a.bearer("auditor-1", "auditor").get("/v1/dead-letters")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(a.tenant), listed.getList("deadLetters.tenantId"), "only this tenant's");
        assertEquals(SURROGATE_REASON, listed.getString("deadLetters[0].reason"));
        assertEquals(Topics.CONSENT_EVENTS, listed.getString("deadLetters[0].topic"));
        assertEquals("io.samtykke.consent.withdrawn.v1", listed.getString("deadLetters[0].eventType"));
        assertArrayEquals(loneSurrogate, java.util.Base64.getDecoder().decode(listed.getString("deadLetters[0].value")));
        a.bearer("ops", "admin").get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'dead-letters' }.data.waiting", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        // a replay runs admission again: still a lone surrogate, so still refused, and it stays listed
        long id = listed.getLong("deadLetters[0].id");
        a.bearer("ops", "admin").post("/v1/dead-letters/" + id + "/replay").then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("lone surrogate"));
        a.bearer("auditor-1", "auditor").post("/v1/dead-letters/" + id + "/replay").then().statusCode(403);
        b.bearer("ops", "admin").post("/v1/dead-letters/" + id + "/replay").then().statusCode(404);
        assertLog(a, 1, a1, a2);
    }

    /** A record refused by an earlier version (here: put in the table as such), replayed after the fix, is logged. */
    @Test
    void aDeadLetterReplayedAfterAFixBecomesALogEntryOnce() throws Exception {
        Auditor d = Auditor.newTenant();
        ConsentEvent d1 = send(Events.consent(d.tenant, "dina", "newsletter", ConsentState.GRANTED, 1));
        assertLog(d, 0, d1);
        ConsentEvent d2 = Events.consent(d.tenant, "dina", "newsletter", ConsentState.WITHDRAWN, 2);
        ProducerRecord<String, byte[]> refused = Events.record(d2);
        io.vertx.core.json.JsonArray headers = new io.vertx.core.json.JsonArray();
        refused.headers().forEach(h -> headers.add(new io.vertx.core.json.JsonObject().put("key", h.key())
                .put("value", java.util.Base64.getEncoder().encodeToString(h.value()))));
        try (Connection db = Auditor.DATABASE.connect(); PreparedStatement s = db.prepareStatement("""
                insert into dead_letter (topic, kafka_partition, kafka_offset, tenant_id, event_id, record_key, headers, value,
                    reason, received_at) values (?, 0, ?, ?, ?, ?, ?::jsonb, ?, 'refused by an earlier version', now())""")) {
            s.setString(1, refused.topic());
            s.setLong(2, 1_000_000_000L + new SecureRandom().nextInt(1_000_000));
            s.setString(3, d.tenant);
            s.setString(4, d2.eventId().toString());
            s.setString(5, refused.key());
            s.setString(6, headers.encode());
            s.setBytes(7, refused.value());
            s.executeUpdate();
        }
        long id = d.bearer("ops", "admin").get("/v1/dead-letters").then().statusCode(200).extract().jsonPath().getLong("deadLetters[0].id");
        java.time.Instant replayAsked = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        d.bearer("ops", "admin").post("/v1/dead-letters/" + id + "/replay").then().statusCode(200).body("stored", org.hamcrest.Matchers.is(true));
        assertLog(d, 0, d1, d2);
        d.bearer("ops", "admin").post("/v1/dead-letters/" + id + "/replay").then().statusCode(200);
        assertLog(d, 0, d1, d2); // a second replay adds nothing
        d.bearer("ops", "admin").get("/v1/dead-letters").then().statusCode(200).body("deadLetters", org.hamcrest.Matchers.empty());
        java.time.Instant replayedAt = java.time.Instant.parse(d.bearer("ops", "admin").get("/v1/dead-letters?all=true")
                .then().statusCode(200).extract().path("deadLetters[0].replayedAt"));
        assertTrue(!replayedAt.isBefore(replayAsked) && !replayedAt.isAfter(java.time.Instant.now()),
                "replayed when asked: " + replayedAt + ", asked at " + replayAsked);
    }

    @Test
    void anEventTheDatabaseRefusesAsBadDataIsDeadLetteredWhenAppendedOnItsOwnAndTheRestOfItsBatchIsStored() throws Exception {
        Auditor c = Auditor.newTenant();
        ConsentEvent c1 = Events.consent(c.tenant, "cy", "newsletter", ConsentState.GRANTED, 1);
        // passes every check before the append, but a tenant id this long and random fits in no PostgreSQL index row
        byte[] random = new byte[15_000];
        new SecureRandom().nextBytes(random);
        String hugeTenant = "t-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        ProducerRecord<String, byte[]> tooLong = Events.record(Events.consent(hugeTenant, "cy", "newsletter", ConsentState.GRANTED, 1));
        ConsentEvent c2 = Events.consent(c.tenant, "cy", "newsletter", ConsentState.WITHDRAWN, 2);
        ConsentEvent c3 = Events.consent(c.tenant, "dan", "newsletter", ConsentState.GRANTED, 1);

        // in one produce request, so one record batch on the broker, read in one poll: the poison record shares its batch
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 1000,
                ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20), new StringSerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<String, byte[]> r : List.of(Events.record(c1), tooLong, Events.record(c2), Events.record(c3))) {
                producer.send(new ProducerRecord<>(r.topic(), PARTITION, r.key(), r.value(), r.headers()));
            }
            producer.flush();
        }

        assertLog(c, 0, c1, c2, c3);
        try (TopicReader dlq = new TopicReader(Topics.deadLetter("audit-service"))) {
            ConsumerRecord<String, byte[]> letter = dlq.await(r -> tooLong.key().equals(r.key()), 1, Duration.ofSeconds(15)).get(0);
            String reason = reason(letter);
            assertTrue(reason.startsWith("the event could not be stored: "), reason);
            assertTrue(reason.contains("54000"), "names PostgreSQL's error: " + reason);
            assertArrayEquals(tooLong.value(), letter.value());
        }
        try (Connection db = Auditor.DATABASE.connect();
             PreparedStatement s = db.prepareStatement("select count(*) from audit_entry where tenant_id = ?")) {
            s.setString(1, hugeTenant);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    /** The tenant's log holds exactly these events, in this order, and {@code refusals} refusal entries, numbered from 0. */
    private static void assertLog(Auditor auditor, int refusals, ConsentEvent... events) {
        int total = events.length + refusals;
        List<Map<String, Object>> entries = auditor.awaitEntries(total);
        assertEquals(List.of(events).stream().map(e -> e.eventId().toString()).toList(),
                entries.stream().filter(e -> !io.samtykke.audit.ingest.EventIngest.REFUSED_TYPE.equals(e.get("type")))
                        .map(e -> e.get("eventId")).toList(), auditor.tenant);
        assertEquals(refusals, entries.stream().filter(e -> io.samtykke.audit.ingest.EventIngest.REFUSED_TYPE.equals(e.get("type")))
                .count(), "one refusal entry per refused record of the tenant: " + entries);
        assertEquals(IntStream.range(0, total).boxed().toList(),
                entries.stream().map(e -> e.get("seq")).toList(), "dense seqs: " + auditor.tenant);
        auditor.awaitCheckpoint(total);
    }

    private static ConsentEvent send(ConsentEvent e) {
        send(Events.record(e));
        return e;
    }

    private static void send(ProducerRecord<String, byte[]> r) {
        Events.send(new ProducerRecord<>(r.topic(), PARTITION, r.key(), r.value(), r.headers()));
    }

    private static String reason(ConsumerRecord<String, byte[]> r) {
        return header(r, "dead-letter-reason");
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
