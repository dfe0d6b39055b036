package io.samtykke.consent.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.confirmation.ConfirmationTokens;
import io.samtykke.contract.ConfirmationRequest;
import io.samtykke.contract.EventJson;
import io.samtykke.kit.db.DatabaseConnections;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.kit.outbox.OutboxRelay;
import io.samtykke.kit.outbox.OutboxSettings;
import io.smallrye.common.annotation.Identifier;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Map;

/**
 * consent-service's outbox relay: the service kit's {@link OutboxRelay} over the {@code outbox} table, each row
 * published as its {@link KafkaRecords} (consent events: events, opt-outs when it is one, state; subject events: subject
 * events, opt-outs for the objection; a double opt-in's confirmation request with its token on the confirmations
 * topic), after the topics exist.
 */
@ApplicationScoped
public class ConsentOutboxRelay {

    @Inject
    Vertx vertx;

    @Inject
    Pool pool;

    @Inject
    ConsentConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    DatabaseConnections connections;

    @Inject
    ConfirmationTokens confirmationTokens;

    private OutboxRelay relay;

    void onStart(@Observes StartupEvent ev) {
        ConsentConfig.Outbox outbox = config.outbox();
        Map<String, Object> kafka = KafkaConnection.settings(kafkaConfig);
        relay = new OutboxRelay(
                new OutboxSettings("consent-outbox-relay", "outbox", OutboxSlots.CHANNEL, OutboxSlots.LOCK_BASE,
                        OutboxSlots.COUNT, outbox.batchSize(), outbox.pollInterval(), outbox.stuckAfter()),
                vertx, pool,
                connections.options(), kafka,
                row -> ConfirmationRequest.TYPE.equals(row.eventType())
                        ? List.of(KafkaRecords.of(confirmationTokens.complete(
                        EventJson.read(row.payload(), ConfirmationRequest.class)), row.traceparent()))
                        : KafkaRecords.ofRow(row.eventType(), row.payload(), row.traceparent()),
                () -> TopicSetup.ensureTopics(kafka, outbox.topicPartitions(), outbox.topicReplicationFactor(),
                        config.doubleOptIn().confirmationTtl()),
                metrics);
        if (outbox.relayEnabled()) {
            relay.start();
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        relay.stop();
    }

    public void start() {
        relay.start();
    }

    public void stop() {
        relay.stop();
    }

    public boolean enabled() {
        return config.outbox().relayEnabled();
    }

    public OutboxRelay relay() {
        return relay;
    }
}
