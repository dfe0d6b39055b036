package io.samtykke.testsupport;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Map;

/**
 * A real Kafka broker in KRaft mode: Kafka's own test kit in this JVM (no Docker), or a
 * Testcontainers container when {@code samtykke.infra=testcontainers}. One per test JVM.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Broker settings a single-node cluster needs, or consumer groups and transactions fail. */
    public static final Map<String, String> SINGLE_NODE_SETTINGS = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "1",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "group.initial.rebalance.delay.ms", "0",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1",
            "auto.create.topics.enable", "true",
            "num.partitions", "4");

    private static KafkaBroker shared;

    private final String bootstrapServers;
    private final AutoCloseable handle;

    private KafkaBroker(String bootstrapServers, AutoCloseable handle) {
        this.bootstrapServers = bootstrapServers;
        this.handle = handle;
    }

    /** The broker shared by every test in this JVM, started on first use, stopped at JVM exit. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            shared = Infra.selected() == Infra.TESTCONTAINERS ? startContainer() : startEmbedded();
            AtExit.close(shared, "kafka-stop");
        }
        return shared;
    }

    private static KafkaBroker startEmbedded() {
        keepKafkaFromEndingTheJvm();
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build());
            SINGLE_NODE_SETTINGS.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster.bootstrapServers(), cluster);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the embedded Kafka broker", e);
        }
    }

    /**
     * The broker runs inside the test JVM. Kafka's test kit registers its own JVM shutdown hook that
     * deletes the broker's directory; run at the same time as ours (which is still stopping the
     * broker), it pulls the log directory away from a live broker, which then halts the JVM with
     * status 1 after every test passed. So the kit gets no hook of its own (closing the kit deletes
     * the directory once the broker is down), and Kafka's "end the process" calls are reported on
     * stderr instead: a broker that really broke still fails the tests that use it.
     */
    private static void keepKafkaFromEndingTheJvm() {
        Exit.setShutdownHookAdder((name, hook) -> { });
        Exit.Procedure report = (code, message) -> System.err.println(
                "test-support: the embedded Kafka broker asked to end the JVM with status " + code
                        + (message == null ? "" : " (" + message + ")") + "; ignored");
        Exit.setExitProcedure(report);
        Exit.setHaltProcedure(report);
    }

    private static KafkaBroker startContainer() {
        var container = new org.testcontainers.kafka.KafkaContainer("apache/kafka:4.1.1");
        container.start();
        return new KafkaBroker(container.getBootstrapServers(), container::stop);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() throws Exception {
        handle.close();
    }
}
