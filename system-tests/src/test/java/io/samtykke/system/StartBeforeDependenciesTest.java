package io.samtykke.system;

import io.samtykke.testsupport.KafkaProcess;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh start in the worst order: the three services first, then PostgreSQL (its databases not even created yet),
 * then the Kafka broker, each a few seconds later, as on a cluster whose nodes come up in any order. The services
 * wait instead of exiting, are ready within 10 s of the last dependency, and the {@link Invariants} hold for a write
 * load run right after.
 */
class StartBeforeDependenciesTest {

    private static final String TENANT = "early-start";

    @Test
    void servicesStartedBeforePostgresAndKafkaAreReadySoonAfterThem() throws Exception {
        int pgPort = ServiceProcess.freePort();
        int kafkaPort = ServiceProcess.freePort();
        int controllerPort = ServiceProcess.freePort();
        ExecutorService background = Executors.newSingleThreadExecutor();
        Future<Cluster> starting = background.submit(() ->
                Cluster.startBeforeDependencies("early", PostgresServer.at(pgPort), "127.0.0.1:" + kafkaPort));
        PostgresServer pg = null;
        KafkaProcess kafka = null;
        try {
            Thread.sleep(5_000); // the services are up before anything they need
            assertFalse(starting.isDone(), "the services wait for PostgreSQL and Kafka instead of giving up");
            pg = PostgresServer.persistent(Files.createTempDirectory("early-pg"), pgPort);
            for (String database : Cluster.databases("early")) {
                pg.ensureDatabase(database);
            }
            Thread.sleep(3_000);
            kafka = KafkaProcess.start(Files.createTempDirectory("early-kafka"), kafkaPort, controllerPort);
            Instant last = Instant.now();
            try (Cluster cluster = starting.get(60, TimeUnit.SECONDS)) {
                Duration ready = Duration.between(last, Instant.now());
                assertTrue(ready.compareTo(Duration.ofSeconds(10)) <= 0, "ready " + ready + " after the last dependency");
                Invariants.newsletter(cluster, TENANT);
                try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, TENANT, "app"), 4, 10)) {
                    Thread.sleep(3_000);
                    int writes = load.stop();
                    Duration caughtUp = Invariants.check(cluster, TENANT, load.acknowledged(), load.eventIds());
                    System.out.printf("start before dependencies: all three services ready %.1f s after the last dependency (Kafka);"
                            + " %d writes right after, 0 lost, 0 twice, 0 out of order%n", ready.toMillis() / 1000.0, writes);
                    FaultTable.row("services started 5 s before PostgreSQL (databases not created) and 8 s before Kafka", 1, writes,
                            load.retries(), ready, caughtUp);
                }
            }
        } finally {
            background.shutdownNow();
            if (kafka != null) {
                kafka.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }
}
