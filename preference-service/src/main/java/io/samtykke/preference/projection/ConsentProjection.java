package io.samtykke.preference.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Topics;
import io.samtykke.kit.deadletter.BadData;
import io.samtykke.kit.deadletter.DeadLetterTable;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.purpose.PurposeCatalog;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Follows {@link Topics#CONSENT_EVENTS} into the consent projection that decisions read. One poll's records
 * are applied in ONE transaction together with the partitions' next offsets (kept in PostgreSQL, not in the
 * consumer group), so a crash replays exactly what was not stored, and the idempotent writes of
 * {@link ProjectionStore} make any replay harmless. On an empty database it first rebuilds from the compacted
 * state topic. Blocking Kafka and database calls run on this class's own thread, never on an event loop.
 */
@ApplicationScoped
public class ConsentProjection {

    private static final Logger LOG = Logger.getLogger(ConsentProjection.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    Pool pool;

    @Inject
    PreferenceConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    Clock clock;

    @Inject
    StateTopicRebuild rebuild;

    @Inject
    PurposeCatalog catalog;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** What the health check and metrics report. */
    public enum Phase { STARTING, REBUILDING, FOLLOWING, FAILING, STOPPED }

    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private final AtomicLong lagRecords = new AtomicLong();
    private final AtomicLong lastAppliedAtMillis = new AtomicLong();
    private final AtomicLong rebuiltSnapshots = new AtomicLong();
    private volatile String lastError;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread worker;
    private KafkaProducer<String, byte[]> deadLetters;
    private DeadLetterTable deadLetterTable;
    private Counter applied;
    private Counter duplicates;
    private Counter gaps;
    private Counter deadLettered;
    private Timer applyDelay;
    private final Set<String> tenantsSeen = new HashSet<>();

    void onStart(@Observes StartupEvent ev) {
        applied = metrics.counter("samtykke.projection.events.applied");
        duplicates = metrics.counter("samtykke.projection.events.duplicates");
        gaps = metrics.counter("samtykke.projection.gaps");
        deadLettered = metrics.counter("samtykke.projection.dead.lettered");
        deadLetterTable = new DeadLetterTable(pool, clock, "projection_dead_letter", metrics, "samtykke.projection.dead.letters");
        deadLetterTable.countAtStart();
        applyDelay = Timer.builder("samtykke.projection.apply.delay")
                .description("From a consent change being stored in consent-service to it being applied here")
                .publishPercentiles(0.5, 0.99).register(metrics);
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
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(2));
        }
    }

    public Phase phase() {
        return phase.get();
    }

    public long lagRecords() {
        return lagRecords.get();
    }

    public Instant lastAppliedAt() {
        long millis = lastAppliedAtMillis.get();
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
    }

    public long rebuiltSnapshots() {
        return rebuiltSnapshots.get();
    }

    public String lastError() {
        return lastError;
    }

    public DeadLetterTable deadLetters() {
        return deadLetterTable;
    }

    /**
     * Applies a dead letter after a fix: applied (or found already applied), it is marked replayed and null is returned;
     * refused again, it stays with the new reason, which is returned. Blocking.
     */
    public String replay(DeadLetterTable.Stored letter) {
        String refused;
        try {
            Parsed p = parse(letter.record());
            record(applyAll(List.of(p), Map.of()));
            deadLetterTable.replayed(letter.view().id()).await().atMost(DB_TIMEOUT);
            LOG.infof("replayed projection dead letter %d (%s-%d@%d)", letter.view().id(), letter.record().topic(),
                    letter.record().partition(), letter.record().offset());
            return null;
        } catch (RuntimeException e) {
            if (!BadData.is(e) && !(e instanceof java.io.UncheckedIOException)) {
                throw e;
            }
            refused = e instanceof java.io.UncheckedIOException ? String.valueOf(e.getMessage()) : BadData.describe(e);
        }
        deadLetterTable.stillRefused(letter.view().id(), refused).await().atMost(DB_TIMEOUT);
        return refused;
    }

    private void run() {
        while (running) {
            try {
                if (config.projection().rebuildWhenEmpty() && isEmpty()) {
                    phase.set(Phase.REBUILDING);
                    rebuiltSnapshots.set(rebuild.run());
                }
                follow();
            } catch (WakeupException stopping) {
                break;
            } catch (RuntimeException e) {
                phase.set(Phase.FAILING);
                lastError = e.toString();
                LOG.warnf("consent projection failed (%s); starting again in 2 s", e.toString());
                sleep(2000);
            }
        }
        phase.set(Phase.STOPPED);
    }

    private boolean isEmpty() {
        return pool.query("select (select count(*) from projection_offset) + (select count(*) from projection_subject) as n")
                .execute().map(rows -> rows.iterator().next().getLong("n") == 0).await().atMost(DB_TIMEOUT);
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
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(Topics.CONSENT_EVENTS), new SeekToStoredOffsets(c));
            while (running) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
                if (phase.get() != Phase.FOLLOWING && !c.assignment().isEmpty()) {
                    phase.set(Phase.FOLLOWING);
                    lastError = null;
                }
                if (!records.isEmpty()) {
                    try {
                        apply(records);
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

    private void apply(ConsumerRecords<String, byte[]> records) {
        Map<Integer, Long> nextOffsets = new HashMap<>();
        List<Parsed> parsed = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            nextOffsets.merge(r.partition(), r.offset() + 1, Math::max);
            try {
                parsed.add(parse(r));
            } catch (RuntimeException e) {
                deadLetter(r, e);
                deadLettered.increment();
            }
        }
        List<Outcome> outcomes;
        try {
            outcomes = applyAll(parsed, nextOffsets);
        } catch (RuntimeException e) {
            if (!BadData.is(e)) {
                throw e; // an outage: the batch is read again from the stored offsets
            }
            // the database refuses something in the batch: apply it event by event, dead-letter only what fails on its own
            LOG.warnf("a batch of %d consent events failed on bad data (%s); applying them one by one", parsed.size(),
                    BadData.describe(e));
            outcomes = applyOneByOne(parsed, nextOffsets);
        }
        record(outcomes);
    }

    private List<Outcome> applyAll(List<Parsed> parsed, Map<Integer, Long> nextOffsets) {
        return pool.withTransaction(conn -> Multi.createFrom().iterable(parsed)
                        .onItem().transformToUniAndConcatenate(p -> ProjectionStore.applyEvent(conn, p.event(), p.type(), p.payload())
                                .map(a -> new Outcome(p.event(), a)))
                        .collect().asList()
                        .call(all -> ProjectionStore.storeOffsets(conn, Topics.CONSENT_EVENTS, nextOffsets)))
                .await().atMost(DB_TIMEOUT);
    }

    private List<Outcome> applyOneByOne(List<Parsed> parsed, Map<Integer, Long> nextOffsets) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Parsed p : parsed) {
            Map<Integer, Long> next = Map.of(p.record().partition(), p.record().offset() + 1);
            try {
                outcomes.addAll(applyAll(List.of(p), next));
            } catch (RuntimeException e) {
                if (!BadData.is(e)) {
                    throw e;
                }
                deadLetter(p.record(), new IllegalArgumentException("the event could not be applied: " + BadData.describe(e)));
                deadLettered.increment();
                pool.withTransaction(conn -> ProjectionStore.storeOffsets(conn, Topics.CONSENT_EVENTS, next)).await().atMost(DB_TIMEOUT);
            }
        }
        // records that were dead-lettered at parsing, after the last applied one: their offsets too
        pool.withTransaction(conn -> ProjectionStore.storeOffsets(conn, Topics.CONSENT_EVENTS, nextOffsets)).await().atMost(DB_TIMEOUT);
        return outcomes;
    }

    private void record(List<Outcome> outcomes) {
        Instant after = clock.instant();
        for (Outcome o : outcomes) {
            if (!o.result().applied()) {
                duplicates.increment();
                continue;
            }
            applied.increment();
            if (o.result().gap(o.event().subjectSeq())) {
                gaps.increment();
            }
            Duration delay = Duration.between(o.event().recordedAt(), after);
            applyDelay.record(delay.isNegative() ? Duration.ZERO : delay);
            if (tenantsSeen.add(o.event().tenantId())) {
                catalog.refreshSoon(o.event().tenantId(), false);
            }
        }
        lastAppliedAtMillis.set(after.toEpochMilli());
    }

    private record Parsed(ConsumerRecord<String, byte[]> record, ConsentEvent event, String type, String payload) {
    }

    private record Outcome(ConsentEvent event, ProjectionStore.Applied result) {
    }

    /** The event of a record, checked as far as the projection relies on it; throws for anything unusable. */
    private static Parsed parse(ConsumerRecord<String, byte[]> r) {
        String type = header(r, CloudEventHeaders.TYPE);
        ConsentEventType.fromType(type);
        if (r.value() == null) {
            throw new IllegalArgumentException("the record has no payload");
        }
        ConsentEvent e = EventJson.read(r.value(), ConsentEvent.class);
        if (e.eventId() == null || e.tenantId() == null || e.subjectId() == null || e.purpose() == null
                || e.state() == null || e.channel() == null || e.category() == null || e.legalBasis() == null
                || e.recordedAt() == null || e.subjectSeq() < 1) {
            throw new IllegalArgumentException("a required field of the consent event is missing");
        }
        return new Parsed(r, e, type, new String(r.value(), StandardCharsets.UTF_8));
    }

    /** A record the projection cannot read goes to its group's dead-letter topic with the reason, and is skipped. */
    private void deadLetter(ConsumerRecord<String, byte[]> r, Exception reason) {
        LOG.warnf("consent event %s-%d@%d cannot be applied (%s); sent to %s", r.topic(), r.partition(), r.offset(),
                reason.getMessage(), Topics.deadLetter(config.projection().groupId()));
        if (deadLetters == null) {
            Map<String, Object> props = new HashMap<>(KafkaConnection.settings(kafkaConfig));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            deadLetters = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(Topics.deadLetter(config.projection().groupId()), r.key(), r.value());
        r.headers().forEach(h -> dead.headers().add(h));
        dead.headers().add("dlq_reason", String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
        dead.headers().add("dlq_source", (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(dead).get();
            deadLetterTable.keep(r, String.valueOf(reason.getMessage())).await().atMost(DB_TIMEOUT);
        } catch (Exception e) {
            throw new IllegalStateException("could not dead-letter " + r.topic() + "-" + r.partition() + "@" + r.offset(), e);
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
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
        Map<Integer, Long> stored = new HashMap<>();
        pool.preparedQuery("select partition, next_offset from projection_offset where topic = $1")
                .execute(Tuple.of(Topics.CONSENT_EVENTS))
                .await().atMost(DB_TIMEOUT)
                .forEach(r -> stored.put(r.getInteger("partition"), r.getLong("next_offset")));
        for (TopicPartition tp : partitions) {
            Long next = stored.get(tp.partition());
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
