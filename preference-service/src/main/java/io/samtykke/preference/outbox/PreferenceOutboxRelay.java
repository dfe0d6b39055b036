package io.samtykke.preference.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.kit.db.DatabaseConnections;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.kit.outbox.OutboxRelay;
import io.samtykke.kit.outbox.OutboxRow;
import io.samtykke.kit.outbox.OutboxSettings;
import io.samtykke.preference.config.PreferenceConfig;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * preference-service's outbox relay: the service kit's {@link OutboxRelay} over the {@code outbox} table, each
 * row published to {@link Topics#PREFERENCE_EVENTS} (an export part's chunk to {@link Topics#SUBJECT_EVENTS}) in
 * CloudEvents binary mode.
 */
@ApplicationScoped
public class PreferenceOutboxRelay {

    public static final String CHANNEL = "preference_outbox";
    public static final String SOURCE = "/samtykke/preference-service";
    /** Advisory lock ids are LOCK_BASE + slot: "pref" in ASCII, apart from other users of advisory locks. */
    static final long LOCK_BASE = 0x70726566_00L;
    /** The slot column is hashtext(tenant/subject) & 15 (migration V7). */
    static final int SLOTS = 16;

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    PreferenceConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    DatabaseConnections connections;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private OutboxRelay relay;

    void onStart(@Observes StartupEvent ev) {
        PreferenceConfig.Outbox outbox = config.outbox();
        relay = new OutboxRelay(
                new OutboxSettings("preference-outbox-relay", "outbox", CHANNEL, LOCK_BASE, SLOTS, outbox.batchSize(),
                        outbox.pollInterval(), outbox.stuckAfter()),
                vertx, pool, connections.options(), KafkaConnection.settings(kafkaConfig),
                row -> List.of(record(row)), () -> true, metrics);
        if (outbox.relayEnabled()) {
            relay.start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        relay.stop();
    }

    public boolean enabled() {
        return config.outbox().relayEnabled();
    }

    public OutboxRelay relay() {
        return relay;
    }

    /**
     * CloudEvents binary mode; the key (and ce_partitionkey) is tenantId/subjectId so one person's events keep their order.
     * A chunk of an export part goes on the subject events topic (its subject_seq is the chunk number).
     */
    static ProducerRecord<String, byte[]> record(OutboxRow r) {
        boolean exportPart = SubjectExportPart.TYPE.equals(r.eventType());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(exportPart ? Topics.SUBJECT_EVENTS : Topics.PREFERENCE_EVENTS,
                CloudEventHeaders.partitionKey(r.tenantId(), r.subjectId()), r.payload().getBytes(StandardCharsets.UTF_8));
        CloudEventHeaders.of(r.eventId(), SOURCE, r.eventType(), r.createdAt().toInstant(), null, r.tenantId(), r.subjectId(),
                        r.subjectSeq(), exportPart ? Schemas.SUBJECT_EXPORT_PART : Schemas.PREFERENCE_EVENT, r.traceparent())
                .forEach((k, v) -> record.headers().add(k, v));
        return record;
    }
}
