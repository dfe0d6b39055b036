package io.samtykke.system;

import io.samtykke.testsupport.KafkaProcess;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh start (empty data folders, a new broker, databases not yet created) in any order, as on a cluster whose
 * nodes come up when they please: the three services, PostgreSQL and the Kafka broker started a few seconds apart in
 * the order given. Services that come before what they need wait instead of exiting and are ready within 10 s of the
 * last dependency; a write load run right after satisfies the {@link Invariants}. The default run tries each part
 * first once; {@code -Dsamtykke.start-orders=all} (the long profile) all six orders. A last scenario starts the
 * services while the new broker hangs (SIGSTOP), so their first topic creation times out, as on a slow broker.
 */
class StartOrderTest {

    /** The parts of a cluster, started in some order. */
    enum Part { SERVICES, POSTGRES, KAFKA }

    private static final Duration GAP = Duration.ofSeconds(3);

    static List<List<Part>> orders() {
        List<List<Part>> firstOfEach = List.of(
                List.of(Part.SERVICES, Part.POSTGRES, Part.KAFKA),
                List.of(Part.POSTGRES, Part.SERVICES, Part.KAFKA),
                List.of(Part.KAFKA, Part.SERVICES, Part.POSTGRES));
        if (!"all".equals(System.getProperty("samtykke.start-orders"))) {
            return firstOfEach;
        }
        return List.of(
                List.of(Part.SERVICES, Part.POSTGRES, Part.KAFKA),
                List.of(Part.SERVICES, Part.KAFKA, Part.POSTGRES),
                List.of(Part.POSTGRES, Part.SERVICES, Part.KAFKA),
                List.of(Part.POSTGRES, Part.KAFKA, Part.SERVICES),
                List.of(Part.KAFKA, Part.SERVICES, Part.POSTGRES),
                List.of(Part.KAFKA, Part.POSTGRES, Part.SERVICES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orders")
    void everyStartOrderEndsReadyWithNothingLost(List<Part> order) throws Exception {
        String name = "order_" + order.stream().map(p -> p.name().substring(0, 1)).collect(Collectors.joining()).toLowerCase(Locale.ROOT);
        try (Parts parts = new Parts(name)) {
            Instant lastDependency = null;
            Instant servicesLaunched = null;
            for (int i = 0; i < order.size(); i++) {
                if (i > 0) {
                    Thread.sleep(GAP.toMillis()); // the next part comes up a little later
                }
                switch (order.get(i)) {
                    case SERVICES -> {
                        parts.launchServices();
                        servicesLaunched = Instant.now();
                    }
                    case POSTGRES -> {
                        parts.startPostgres();
                        lastDependency = Instant.now();
                    }
                    case KAFKA -> {
                        parts.startKafka();
                        lastDependency = Instant.now();
                    }
                }
                if (order.get(i) != Part.SERVICES && i < order.size() - 1 && order.indexOf(Part.SERVICES) < i) {
                    assertFalse(parts.starting.isDone(), "the services wait for what is still missing instead of giving up");
                }
            }
            try (Cluster cluster = parts.cluster()) {
                Instant ready = Instant.now();
                boolean servicesLast = order.get(order.size() - 1) == Part.SERVICES;
                Duration afterDependency = Duration.between(servicesLast ? servicesLaunched : lastDependency, ready);
                if (!servicesLast) {
                    assertTrue(afterDependency.compareTo(Duration.ofSeconds(10)) <= 0,
                            "ready " + afterDependency + " after the last dependency");
                }
                String started = order.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
                writeAndCheck(cluster, name, "fresh start, " + started + " started " + GAP.toSeconds() + " s apart",
                        afterDependency, servicesLast ? "after their own launch" : "after the last dependency");
            }
        }
    }

    @Test
    void servicesStartedWhileTheNewBrokerHangsPublishEverythingOnceItAnswers() throws Exception {
        Duration hang = Duration.ofSeconds(25);
        try (Parts parts = new Parts("hung_broker")) {
            parts.startPostgres();
            parts.startKafka();
            parts.kafka.freeze();
            try {
                parts.launchServices();
                Thread.sleep(hang.toMillis()); // the first topic creation waits on a broker that does not answer
            } finally {
                parts.kafka.thaw();
            }
            Instant thawed = Instant.now();
            try (Cluster cluster = parts.cluster()) {
                Duration ready = Duration.between(thawed, Instant.now());
                assertTrue(ready.compareTo(Duration.ofSeconds(10)) <= 0, "ready " + ready + " after the broker answered");
                writeAndCheck(cluster, "hung_broker", "fresh start, services started while the new broker hangs (SIGSTOP) for "
                        + hang.toSeconds() + " s", ready, "after the broker answered");
            }
        }
    }

    /** Four writers for a few seconds right after the start, then the invariants; one row of the fault table. */
    private static void writeAndCheck(Cluster cluster, String tenant, String scenario, Duration ready, String readyWhen)
            throws Exception {
        String t = tenant.replace('_', '-');
        Invariants.newsletter(cluster, t);
        try (WriteLoad load = WriteLoad.start(cluster, Invariants.token(cluster, t, "app"), 4, 10)) {
            Thread.sleep(3_000); // the load runs
            int writes = load.stop();
            Duration caughtUp = Invariants.check(cluster, t, load.acknowledged(), load.eventIds());
            System.out.printf("%s: ready %.1f s %s; %d writes right after, 0 lost, 0 twice, 0 out of order%n",
                    scenario, ready.toMillis() / 1000.0, readyWhen, writes);
            FaultTable.row(scenario + " (ready " + readyWhen + ")", 1, writes, load.retries(), ready, caughtUp);
        }
    }

    /** PostgreSQL, a broker and the three services of one scenario, on ports fixed up front; stopped at the end. */
    private static final class Parts implements AutoCloseable {
        final String name;
        final int pgPort = ServiceProcess.freePort();
        final int kafkaPort = ServiceProcess.freePort();
        final int controllerPort = ServiceProcess.freePort();
        final ExecutorService background = Executors.newSingleThreadExecutor();
        Future<Cluster> starting;
        PostgresServer pg;
        KafkaProcess kafka;

        Parts(String name) {
            this.name = name;
        }

        void launchServices() {
            starting = background.submit(() ->
                    Cluster.startBeforeDependencies(name, PostgresServer.at(pgPort), "127.0.0.1:" + kafkaPort));
        }

        void startPostgres() throws Exception {
            pg = PostgresServer.persistent(Files.createTempDirectory(name + "-pg"), pgPort);
            for (String database : Cluster.databases(name)) {
                pg.ensureDatabase(database);
            }
        }

        void startKafka() throws Exception {
            kafka = KafkaProcess.start(Files.createTempDirectory(name + "-kafka"), kafkaPort, controllerPort);
        }

        Cluster cluster() throws Exception {
            return starting.get(90, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            background.shutdownNow();
            if (starting != null && starting.isDone() && !starting.isCancelled()) {
                try {
                    starting.get().close();
                } catch (Exception e) {
                    // the scenario failed to start: nothing to stop
                }
            }
            if (kafka != null) {
                kafka.close();
            }
            if (pg != null) {
                pg.close();
            }
        }
    }
}
