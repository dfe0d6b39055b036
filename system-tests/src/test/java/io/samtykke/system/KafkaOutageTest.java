package io.samtykke.system;

import io.samtykke.testsupport.KafkaProcess;
import io.samtykke.testsupport.PostgresServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Kafka broker (a process of its own) killed with SIGKILL while four clients keep writing, away for
 * {@code samtykke.kafka.outage} (30 s by default), then started again on its data folder; {@code samtykke.faults.rounds}
 * times (once by default). Writes keep being
 * acknowledged meanwhile (they go to PostgreSQL and the outbox); once the broker is back every service is ready
 * again within 10 s, the backlog drains, and the {@link Invariants} hold.
 */
class KafkaOutageTest {

    private static final String TENANT = "kafka-outage";

    @Test
    void writesGoOnWhileKafkaIsAwayAndEverythingArrivesAfter() throws Exception {
        Duration outage = Duration.ofSeconds(Long.getLong("samtykke.kafka.outage", 30));
        try (KafkaProcess kafka = KafkaProcess.start(Files.createTempDirectory("kafka-outage"));
             Cluster cluster = Cluster.start("kafka_outage", PostgresServer.shared(), kafka.bootstrapServers())) {
            Invariants.newsletter(cluster, TENANT);
            Map<String, Duration> readyAfter = new LinkedHashMap<>();
            try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                int outages = Integer.getInteger("samtykke.faults.rounds", 1);
                int during = 0;
                for (int round = 0; round < outages; round++) {
                    Thread.sleep(3_000); // the load runs before each outage
                    kafka.kill();
                    int before = load.acknowledgedCount();
                    Thread.sleep(outage.toMillis()); // the outage: the load goes on
                    int acknowledgedMeanwhile = load.acknowledgedCount() - before;
                    assertTrue(acknowledgedMeanwhile >= 10, "writes kept being acknowledged while Kafka was away: " + acknowledgedMeanwhile);
                    during += acknowledgedMeanwhile;
                    kafka.restart();
                    Instant back = Instant.now();
                    for (String service : List.of("consent-service", "preference-service", "audit-service")) {
                        cluster.awaitReady(service, Duration.ofSeconds(10));
                        readyAfter.merge(service, Duration.between(back, Instant.now()), (a, b) -> a.compareTo(b) > 0 ? a : b);
                    }
                }
                Thread.sleep(3_000);
                int writes = load.stop();
                Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds());
                System.out.printf("kafka outage: %d writes acknowledged by 4 clients, %d of them during %d x %d s without Kafka (%d attempts"
                        + " retried); 0 lost, 0 twice, 0 out of order; caught up %.1f s after the load; ready after the broker was"
                        + " back: %s%n", writes, during, outages, outage.toSeconds(), load.retries(), caughtUp.toMillis() / 1000.0, readyAfter);
                FaultTable.row("Kafka broker killed (kill -9), away " + outage.toSeconds() + " s, restarted, x" + outages + ", under 4 writers",
                        outages, writes,
                        load.retries(), readyAfter.values().stream().max(Duration::compareTo).orElseThrow(), caughtUp);
            }
        }
    }
}
