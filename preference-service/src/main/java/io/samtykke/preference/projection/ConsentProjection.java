package io.samtykke.preference.projection;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.Topics;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.preference.config.PreferenceConfig;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows {@link Topics#CONSENT_EVENTS} (and {@link Topics#SUBJECT_EVENTS}: objections and restrictions) into the
 * projection that decisions read, with a plain Kafka consumer on
 * this class's own thread (blocking Kafka and database calls, never on an event loop). Each poll goes to
 * {@link ProjectionRecords}, which applies it in one transaction with the partitions' next offsets; the offsets live in
 * PostgreSQL, not in the consumer group, so after a crash, a failed batch or a rebalance the consumer continues from
 * the stored offsets and replays exactly what was not stored. On an empty database it first runs the
 * {@link StateTopicRebuild}.
 */
@ApplicationScoped
public class ConsentProjection {

    @Inject
    PreferenceConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    StateTopicRebuild rebuild;

    @Inject
    ProjectionRecords records;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** What the health check and metrics report. */
    public enum Phase { STARTING, REBUILDING, FOLLOWING, FAILING, STOPPED }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private final AtomicLong lagRecords = new AtomicLong();
    private final AtomicLong rebuiltSnapshots = new AtomicLong();
    private volatile String lastError;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread worker;

    void onStart(@Observes StartupEvent ev) {
        metrics.gauge("samtykke.projection.lag.records", lagRecords);
        metrics.gauge("samtykke.projection.rebuilding", phase, p -> p.get() == Phase.REBUILDING ? 1 : 0);
        if (!config.projection().enabled()) {
            phase.set(Phase.STOPPED);
            return;
        }
        running = true;
        worker = new Thread(this::run, "consent-projection");
        worker.setDaemon(true);
        worker.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (worker != null) {
            try {
                worker.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        records.close();
    }

    public Phase phase() {
        return phase.get();
    }

    public long lagRecords() {
        return lagRecords.get();
    }

    public long rebuiltSnapshots() {
        return rebuiltSnapshots.get();
    }

    public String lastError() {
        return lastError;
    }

    private void run() {
        while (running) {
            try {
                if (config.projection().rebuildWhenEmpty() && rebuild.projectionIsEmpty()) {
                    phase.set(Phase.REBUILDING);
                    rebuiltSnapshots.set(rebuild.run());
                }
                follow();
            } catch (WakeupException stopping) {
                break;
            } catch (RuntimeException e) {
                phase.set(Phase.FAILING);
                lastError = e.toString();
                Log.warnf("consent projection failed (%s); starting again in 2 s", e.toString());
                // a pause before a new consumer after a failure (Kafka or PostgreSQL away), not a poll: polling waits
                // in the consumer's own poll timeout
                pause(2000);
            }
        }
        phase.set(Phase.STOPPED);
    }

    private void follow() {
        Map<String, Object> props = new HashMap<>(KafkaConnection.settings(kafkaConfig));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.projection().groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "preference-projection");
        // offsets live in PostgreSQL with the projection; the group only shares the partitions out
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        // an instance killed without leaving the group holds its partitions until its session expires: 10 s, not
        // Kafka's default 45 s, so decisions stop lagging soon after a crash (DownstreamCrashTest)
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(Topics.CONSENT_EVENTS, Topics.SUBJECT_EVENTS), new SeekToStoredOffsets(c));
            while (running) {
                ConsumerRecords<String, byte[]> batch = c.poll(Duration.ofMillis(200));
                if (phase.get() != Phase.FOLLOWING && !c.assignment().isEmpty()) {
                    phase.set(Phase.FOLLOWING);
                    lastError = null;
                }
                if (!batch.isEmpty()) {
                    try {
                        records.apply(batch);
                    } catch (RuntimeException e) {
                        // nothing of the batch was stored: read it again from the stored offsets
                        seekToStored(c, c.assignment());
                        throw e;
                    }
                }
                lagRecords.set(lag(c));
            }
        } finally {
            consumer = null;
        }
    }

    private static long lag(KafkaConsumer<String, byte[]> c) {
        long sum = 0;
        for (TopicPartition tp : c.assignment()) {
            OptionalLong lag = c.currentLag(tp);
            if (lag.isPresent()) {
                sum += lag.getAsLong();
            }
        }
        return sum;
    }

    private void seekToStored(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<String, Map<Integer, Long>> stored = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = stored.computeIfAbsent(tp.topic(), records::storedOffsets).get(tp.partition());
            if (next == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, next);
            }
        }
    }

    /** On every (re)assignment, continue from the offsets stored with the projection. */
    private final class SeekToStoredOffsets implements ConsumerRebalanceListener {

        private final KafkaConsumer<String, byte[]> c;

        SeekToStoredOffsets(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            seekToStored(c, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // offsets are stored with each applied batch; nothing is pending here
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
