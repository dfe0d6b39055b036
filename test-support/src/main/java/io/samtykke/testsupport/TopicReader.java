package io.samtykke.testsupport;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

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
        return awaitMatching(match, List::size, count, "matching records", timeout);
    }

    /**
     * Polls until {@code count} distinct ids ({@code id} of a record, e.g. its {@code ce_id}) match: an at-least-once
     * producer may publish a record twice, and a re-sent record must not stand in for one that is missing. Returns every
     * matching record in order, duplicates included.
     */
    public List<ConsumerRecord<String, byte[]>> awaitDistinct(Predicate<ConsumerRecord<String, byte[]>> match,
                                                              Function<ConsumerRecord<String, byte[]>, String> id,
                                                              int count, Duration timeout) {
        return awaitMatching(match, records -> (int) records.stream().map(id).distinct().count(), count,
                "distinct matching records", timeout);
    }

    private List<ConsumerRecord<String, byte[]>> awaitMatching(Predicate<ConsumerRecord<String, byte[]>> match,
                                                               ToIntFunction<List<ConsumerRecord<String, byte[]>>> counted,
                                                               int count, String what, Duration timeout) {
        AtomicReference<List<ConsumerRecord<String, byte[]>>> matching = new AtomicReference<>();
        // the consumer is not thread-safe: Awaitility polls it on this thread
        Awaitility.await(count + " " + what + " on " + topic).atMost(timeout).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> {
                    pollOnce();
                    matching.set(seen.stream().filter(match).toList());
                    int counts = counted.applyAsInt(matching.get());
                    if (counts < count) {
                        throw new AssertionError("saw " + counts + " (" + matching.get().size() + " matching, of "
                                + seen.size() + " records)");
                    }
                });
        return matching.get();
    }

    /** Everything read so far plus whatever arrives within {@code quiet}. */
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
                return; // not created yet: the next poll asks again
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
