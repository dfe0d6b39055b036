package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.Database;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * consent-service as real processes, killed with SIGKILL while clients write: every change that was
 * acknowledged (HTTP 201) reaches Kafka, and each subject's events arrive in order.
 */
class ConsentCrashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATABASE = "consent_system";
    /** How long a killed relay may still be counted: the 30 s heartbeat window of the default settings, and a margin. */
    private static final Duration DEAD_RELAY_COUNTED = Duration.ofSeconds(45);

    private static Map<String, String> settings;

    /** One acknowledged write: the subject and the event ids with their sequence numbers. */
    record Ack(String subject, String eventId, long seq) {
    }

    @BeforeAll
    static void infrastructure() {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase(DATABASE);
        settings = ServiceProcess.settingsFor(pg, DATABASE);
    }

    @Test
    void killingTheServiceMidStreamLosesNoAcknowledgedChangeAndKeepsOrder() throws Exception {
        String tenant = "crash-" + UUID.randomUUID().toString().substring(0, 6);
        int port = ServiceProcess.freePort();
        AtomicReference<ServiceProcess> service = new AtomicReference<>(ServiceProcess.start("consent-service", port, settings));
        try {
            setUpPurpose(service.get(), tenant);
            ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong refused = new AtomicLong();
            ExecutorService writers = startWriters(tenant, () -> List.of(service.get()), acks, stop, refused, 4);

            awaitAcks(acks, 150);
            service.get().kill();
            int acknowledgedBeforeKill = acks.size();
            long refusedBeforeKill = refused.get();
            await("the clients keep trying against the dead service").atMost(Duration.ofSeconds(30))
                    .until(refused::get, n -> n >= refusedBeforeKill + 8);
            service.set(ServiceProcess.start("consent-service", port, settings));
            awaitAcks(acks, acknowledgedBeforeKill + 150);
            stop.set(true);
            writers.shutdown();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));

            assertEveryAckOnKafkaInOrder(tenant, acks);
        } finally {
            service.get().close();
        }
    }

    @Test
    void twoInstancesShareTheWorkAndOneDyingHandsItsSubjectsToTheOther() throws Exception {
        String tenant = "scale-" + UUID.randomUUID().toString().substring(0, 6);
        ServiceProcess a = ServiceProcess.start("consent-service", ServiceProcess.freePort(), settings);
        ServiceProcess b = ServiceProcess.start("consent-service", ServiceProcess.freePort(), settings);
        AtomicReference<List<ServiceProcess>> targets = new AtomicReference<>(List.of(a, b));
        try {
            setUpPurpose(a, tenant);
            ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = startWriters(tenant, targets::get, acks, stop, new AtomicLong(), 4);
            awaitAcks(acks, 120);
            // both relays count each other and both publish: the 16 slots are shared, not held by the first to start
            awaitMetric(a, "samtykke_outbox_relays", v -> v == 2, "2 relays");
            awaitMetric(b, "samtykke_outbox_relays", v -> v == 2, "2 relays");
            awaitMetric(a, "samtykke_outbox_published_total", v -> v > 0, "rows published");
            awaitMetric(b, "samtykke_outbox_published_total", v -> v > 0, "rows published");
            a.kill();
            targets.set(List.of(b));
            awaitAcks(acks, acks.size() + 120);
            // a relay is counted until its last heartbeat is older than the heartbeat window: half of
            // samtykke.outbox.stuck-after (60 s by default), so up to 30 s after the kill, plus the survivor's next poll
            awaitMetric(b, "samtykke_outbox_relays", v -> v == 1, "1 relay", DEAD_RELAY_COUNTED);
            awaitMetric(b, "samtykke_outbox_slots_owned", v -> v == 16, "all 16 slots");
            stop.set(true);
            writers.shutdown();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS));

            assertEveryAckOnKafkaInOrder(tenant, acks);
        } finally {
            a.close();
            b.close();
        }
    }

    /** Waits (at most 30 s) until a Prometheus gauge or counter of the instance satisfies {@code test}. */
    private static void awaitMetric(ServiceProcess s, String name, java.util.function.DoublePredicate test, String what) {
        awaitMetric(s, name, test, what, Duration.ofSeconds(30));
    }

    private static void awaitMetric(ServiceProcess s, String name, java.util.function.DoublePredicate test, String what,
                                    Duration atMost) {
        await("the relay at " + s.url("") + " reports " + what).atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> s.send(null, "GET", "/q/metrics", null).body().lines()
                                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).findFirst().orElse(""),
                        line -> !line.isEmpty() && test.test(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
    }

    private static void setUpPurpose(ServiceProcess s, String tenant) throws Exception {
        String admin = Tokens.forTests().mint(tenant, "admin-1", "admin");
        assertEquals(201, s.send(admin, "PUT", "/v1/purposes/newsletter",
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}")
                .statusCode());
        assertEquals(201, s.send(admin, "POST", "/v1/purposes/newsletter/notices",
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}").statusCode());
    }

    /** Each writer owns a few subjects and toggles them; only 201 answers are counted as acknowledged. */
    private static ExecutorService startWriters(String tenant, java.util.function.Supplier<List<ServiceProcess>> targets,
                                                ConcurrentLinkedQueue<Ack> acks, AtomicBoolean stop, AtomicLong refused,
                                                int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        String app = Tokens.forTests().mint(tenant, "app-1", "app");
        for (int t = 0; t < threads; t++) {
            int writer = t;
            pool.submit(() -> {
                Map<String, Boolean> granted = new HashMap<>();
                int i = 0;
                while (!stop.get()) {
                    String subject = "w" + writer + "-s" + (i % 5);
                    List<ServiceProcess> live = targets.get();
                    ServiceProcess target = live.get(i % live.size());
                    i++;
                    boolean grant = !granted.getOrDefault(subject, false);
                    String body = grant
                            ? "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"
                            : "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"WITHDRAW\"}]}";
                    try {
                        HttpResponse<String> r = target.send(app, "POST", "/v1/subjects/" + subject + "/consents", body);
                        if (r.statusCode() == 201) {
                            granted.put(subject, grant);
                            JsonNode rec = JSON.readTree(r.body()).path("records").get(0);
                            acks.add(new Ack(subject, rec.path("eventId").asText(), rec.path("subjectSeq").asLong()));
                        }
                    } catch (Exception connectionRefusedOrCutOff) {
                        // the service is down: not acknowledged, so nothing is promised; a client pauses before it retries
                        refused.incrementAndGet();
                        sleep(50);
                    }
                }
                return null;
            });
        }
        return pool;
    }

    private static void assertEveryAckOnKafkaInOrder(String tenant, ConcurrentLinkedQueue<Ack> acks) throws Exception {
        Set<String> acknowledged = new HashSet<>();
        acks.forEach(a -> acknowledged.add(a.eventId()));
        long committed = countRecords(tenant);
        assertTrue(committed >= acknowledged.size(), "every acknowledged change is in PostgreSQL");
        try (TopicReader reader = new TopicReader(Topics.CONSENT_EVENTS)) {
            // distinct event ids: a relay killed between Kafka's acknowledgement and its commit re-sends rows
            List<ConsumerRecord<String, byte[]>> records = reader.awaitDistinct(
                    r -> tenant.equals(header(r, "ce_tenantid")), r -> header(r, "ce_id"), (int) committed, Duration.ofSeconds(90));
            Map<String, List<Long>> firstSeen = new LinkedHashMap<>();
            Set<String> seenIds = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                if (seenIds.add(header(r, "ce_id"))) {
                    String subject = r.key().substring(r.key().indexOf('/') + 1);
                    firstSeen.computeIfAbsent(subject, k -> new ArrayList<>()).add(Long.parseLong(header(r, "ce_subjectseq")));
                }
            }
            assertTrue(seenIds.containsAll(acknowledged), "acknowledged but missing on Kafka: "
                    + acknowledged.stream().filter(id -> !seenIds.contains(id)).toList());
            assertEquals(committed, seenIds.size(), "every committed change is published");
            firstSeen.forEach((subject, seqs) -> {
                for (int i = 0; i < seqs.size(); i++) {
                    assertEquals(i + 1, seqs.get(i), "events of " + subject + " out of order or with a gap: " + seqs);
                }
            });
        }
    }

    private static long countRecords(String tenant) {
        return Database.of(DATABASE).count("select count(*) from consent_record where tenant_id = ?", tenant);
    }

    private static void awaitAcks(ConcurrentLinkedQueue<Ack> acks, int count) {
        await(count + " writes acknowledged").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                .until(acks::size, n -> n >= count);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
