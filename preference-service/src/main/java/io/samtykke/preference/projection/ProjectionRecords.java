package io.samtykke.preference.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.kit.deadletter.BadData;
import io.samtykke.kit.deadletter.DeadLetterTable;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.export.ExportPart;
import io.samtykke.preference.purpose.PurposeCatalog;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What becomes of the records of the consent events and subject events topics: each is read as a typed
 * {@link ConsentEvent} or {@link SubjectEvent} and applied with
 * {@link ProjectionStore}, a poll's records in ONE transaction together with the partitions' next offsets; a record
 * that cannot be read, or that the database refuses as bad data ({@link BadData}), goes to the group's dead-letter topic
 * and the {@link DeadLetterTable}, and the projection goes on. Blocking: called from the projection's thread, and from
 * a worker thread for a replay.
 */
@ApplicationScoped
public class ProjectionRecords {

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
    PurposeCatalog catalog;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private final AtomicLong lastAppliedAtMillis = new AtomicLong();
    private final Set<String> tenantsSeen = ConcurrentHashMap.newKeySet();
    private KafkaProducer<String, byte[]> deadLetters;
    private DeadLetterTable deadLetterTable;
    private Counter applied;
    private Counter duplicates;
    private Counter gaps;
    private Counter deadLettered;
    private Timer applyDelay;

    /** A record read as a consent event ({@code event}) or, from the subject events topic, a subject event. */
    private record Parsed(ConsumerRecord<String, byte[]> record, ConsentEvent event, SubjectEvent subjectEvent, String type,
                          String payload) {
    }

    private record Outcome(ConsentEvent event, ProjectionStore.Applied result) {
    }

    /** The next offset of each partition of each topic the batch read. */
    private static final class Offsets {
        final Map<String, Map<Integer, Long>> byTopic = new HashMap<>();

        Offsets add(ConsumerRecord<?, ?> r) {
            byTopic.computeIfAbsent(r.topic(), t -> new HashMap<>()).merge(r.partition(), r.offset() + 1, Math::max);
            return this;
        }

        Uni<Void> store(SqlClient conn) {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Map.Entry<String, Map<Integer, Long>> e : byTopic.entrySet()) {
                chain = chain.call(() -> ProjectionStore.storeOffsets(conn, e.getKey(), e.getValue()));
            }
            return chain;
        }
    }

    @PostConstruct
    void init() {
        applied = metrics.counter("samtykke.projection.events.applied");
        duplicates = metrics.counter("samtykke.projection.events.duplicates");
        gaps = metrics.counter("samtykke.projection.gaps");
        deadLettered = metrics.counter("samtykke.projection.dead.lettered");
        deadLetterTable = new DeadLetterTable(pool, clock, "projection_dead_letter", metrics, "samtykke.projection.dead.letters");
        applyDelay = Timer.builder("samtykke.projection.apply.delay")
                .description("From a consent change being stored in consent-service to it being applied here")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    void onStart(@Observes StartupEvent ev) {
        deadLetterTable.countAtStart();
    }

    /** Closes the dead-letter producer; called once the projection's thread has stopped. */
    void close() {
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(2));
        }
    }

    public Instant lastAppliedAt() {
        long millis = lastAppliedAtMillis.get();
        return millis == 0 ? null : Instant.ofEpochMilli(millis);
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
            record(applyAll(List.of(p), new Offsets()));
            deadLetterTable.replayed(letter.view().id()).await().atMost(DB_TIMEOUT);
            Log.infof("replayed projection dead letter %d (%s-%d@%d)", letter.view().id(), letter.record().topic(),
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

    /** The next offset to read of each partition of {@code topic}, as stored with the applied records. Blocking. */
    Map<Integer, Long> storedOffsets(String topic) {
        return ProjectionStore.storedOffsets(pool, topic).await().atMost(DB_TIMEOUT);
    }

    /**
     * Applies one poll's records with their partitions' next offsets; what cannot be read or applied is dead-lettered.
     * Throws, having stored nothing of the batch, on anything that is not the records' fault (an outage).
     */
    void apply(ConsumerRecords<String, byte[]> records) {
        Offsets nextOffsets = new Offsets();
        List<Parsed> parsed = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            nextOffsets.add(r);
            if (isExportPart(r)) {
                continue; // the services' export parts share the subject events topic; consent-service assembles them
            }
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
            Log.warnf("a batch of %d consent events failed on bad data (%s); applying them one by one", parsed.size(),
                    BadData.describe(e));
            outcomes = applyOneByOne(parsed, nextOffsets);
        }
        record(outcomes);
    }

    private List<Outcome> applyAll(List<Parsed> parsed, Offsets nextOffsets) {
        return pool.withTransaction(conn -> Multi.createFrom().iterable(parsed)
                        .onItem().transformToUniAndConcatenate(p -> p.subjectEvent() != null
                                ? ProjectionStore.applySubjectEvent(conn, p.subjectEvent(), p.type(), p.payload())
                                .call(applied -> !applied ? Uni.createFrom().voidItem()
                                        : p.subjectEvent().change() == SubjectEventType.EXPORT_REQUESTED
                                        ? ExportPart.enqueue(conn, p.subjectEvent(), header(p.record(), CloudEventHeaders.TRACEPARENT))
                                        : p.subjectEvent().change() == SubjectEventType.ERASED
                                        ? ProjectionStore.erase(conn, p.subjectEvent(), p.type(), p.payload())
                                        : Uni.createFrom().voidItem())
                                .map(applied -> new Outcome(null, new ProjectionStore.Applied(applied, 0, 0)))
                                : ProjectionStore.applyEvent(conn, p.event(), p.type(), p.payload())
                                .map(a -> new Outcome(p.event(), a)))
                        .collect().asList()
                        .call(all -> nextOffsets.store(conn)))
                .await().atMost(DB_TIMEOUT);
    }

    private List<Outcome> applyOneByOne(List<Parsed> parsed, Offsets nextOffsets) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Parsed p : parsed) {
            Offsets next = new Offsets().add(p.record());
            try {
                outcomes.addAll(applyAll(List.of(p), next));
            } catch (RuntimeException e) {
                if (!BadData.is(e)) {
                    throw e;
                }
                deadLetter(p.record(), new IllegalArgumentException("the event could not be applied: " + BadData.describe(e)));
                deadLettered.increment();
                pool.withTransaction(next::store).await().atMost(DB_TIMEOUT);
            }
        }
        // records that were dead-lettered at parsing, after the last applied one: their offsets too
        pool.withTransaction(nextOffsets::store).await().atMost(DB_TIMEOUT);
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
            if (o.event() == null) {
                continue; // a subject event: no consent delay or catalog to learn from
            }
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

    private static boolean isExportPart(ConsumerRecord<String, byte[]> r) {
        return Topics.SUBJECT_EVENTS.equals(r.topic()) && SubjectExportPart.TYPE.equals(header(r, CloudEventHeaders.TYPE));
    }

    /** The event of a record, checked as far as the projection relies on it; throws for anything unusable. */
    private static Parsed parse(ConsumerRecord<String, byte[]> r) {
        String type = header(r, CloudEventHeaders.TYPE);
        if (r.value() == null) {
            throw new IllegalArgumentException("the record has no payload");
        }
        if (Topics.SUBJECT_EVENTS.equals(r.topic())) {
            SubjectEventType.fromType(type);
            SubjectEvent e = EventJson.read(r.value(), SubjectEvent.class);
            if (e.eventId() == null || e.tenantId() == null || e.subjectId() == null || e.change() == null
                    || e.occurredAt() == null || e.recordedAt() == null || e.subjectSeq() < 1 || !type.equals(e.change().type())) {
                throw new IllegalArgumentException("a required field of the subject event is missing or contradicts ce_type");
            }
            return new Parsed(r, null, e, type, new String(r.value(), StandardCharsets.UTF_8));
        }
        ConsentEventType.fromType(type);
        ConsentEvent e = EventJson.read(r.value(), ConsentEvent.class);
        if (e.eventId() == null || e.tenantId() == null || e.subjectId() == null || e.purpose() == null
                || e.state() == null || e.channel() == null || e.category() == null || e.legalBasis() == null
                || e.recordedAt() == null || e.subjectSeq() < 1) {
            throw new IllegalArgumentException("a required field of the consent event is missing");
        }
        return new Parsed(r, e, null, type, new String(r.value(), StandardCharsets.UTF_8));
    }

    /** A record the projection cannot read goes to its group's dead-letter topic with the reason, and is skipped. */
    private void deadLetter(ConsumerRecord<String, byte[]> r, Exception reason) {
        Log.warnf("consent event %s-%d@%d cannot be applied (%s); sent to %s", r.topic(), r.partition(), r.offset(),
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
}
