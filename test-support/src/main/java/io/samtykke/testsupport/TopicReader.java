package io.samtykke.testsupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads a topic from the beginning with a plain Kafka consumer (no group), the way a downstream
 * tool would, so tests see exactly what is on the broker.
 */
public final class TopicReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicReader(String topic) {
        this(KafkaBroker.shared().bootstrapServers(), topic);
    }

    public TopicReader(String bootstrapServers, String topic) {
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls until {@code count} records match, or fails after {@code timeout}; returns the matching ones in order. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> match, int count,
                                                      Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<ConsumerRecord<String, byte[]>> matching = seen.stream().filter(match).toList();
            if (matching.size() >= count) {
                return matching;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + count + " matching records on " + topic + " within " + timeout
                        + " but saw " + matching.size() + " (of " + seen.size() + " records)");
            }
            pollOnce();
        }
    }

    /** Everything read so far plus whatever arrives within {@code quiet}. */
    /**
     * Polls until {@code count} distinct ids ({@code id} of a record, e.g. its {@code ce_id}) match: an at-least-once
     * producer may publish a record twice, and a re-sent record must not stand in for one that is missing. Returns every
     * matching record in order, duplicates included.
     */
    public List<ConsumerRecord<String, byte[]>> awaitDistinct(Predicate<ConsumerRecord<String, byte[]>> match,
                                                              java.util.function.Function<ConsumerRecord<String, byte[]>, String> id,
                                                              int count, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<ConsumerRecord<String, byte[]>> matching = seen.stream().filter(match).toList();
            long distinct = matching.stream().map(id).distinct().count();
            if (distinct >= count) {
                return matching;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + count + " distinct matching records on " + topic + " within " + timeout
                        + " but saw " + distinct + " (" + matching.size() + " with duplicates, of " + seen.size() + " records)");
            }
            pollOnce();
        }
    }

    public List<ConsumerRecord<String, byte[]>> drain(Duration quiet) {
        Instant until = Instant.now().plus(quiet);
        while (Instant.now().isBefore(until)) {
            pollOnce();
        }
        return List.copyOf(seen);
    }

    private void pollOnce() {
        if (consumer.assignment().isEmpty()) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (partitions == null || partitions.isEmpty()) {
                sleep();
                return;
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
