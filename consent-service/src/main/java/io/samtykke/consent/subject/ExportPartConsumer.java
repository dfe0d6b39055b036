package io.samtykke.consent.subject;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.Topics;
import io.samtykke.kit.kafka.KafkaConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the services' export parts from {@link Topics#SUBJECT_EVENTS} (consumer group {@code samtykke.export.group-id};
 * every other record there is skipped) and hands each chunk to {@link ExportService#received}, which keeps it once.
 * Offsets are committed after a poll's chunks are stored, so a crash re-reads them (at least once; the store dedupes).
 * A chunk that breaks the contract is logged and skipped; while PostgreSQL is unreachable the poll is retried.
 */
@ApplicationScoped
public class ExportPartConsumer {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @Inject
    ConsentConfig config;

    @Inject
    ExportService exports;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    void onStart(@Observes StartupEvent ev) {
        if (!config.export().consumerEnabled()) {
            return;
        }
        Map<String, Object> props = new HashMap<>(KafkaConnection.settings(kafkaConfig));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.export().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 5000);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        thread = new Thread(this::run, "export-part-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (thread == null) {
            return;
        }
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.SUBJECT_EVENTS));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                storeRetrying(records);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            Log.error("the export part consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void storeRetrying(ConsumerRecords<String, byte[]> records) {
        long delay = 200;
        while (running) {
            try {
                for (ConsumerRecord<String, byte[]> r : records) {
                    store(r);
                }
                return;
            } catch (RuntimeException e) {
                Log.warnf("could not store export parts (%s); retrying in %d ms", e.toString(), delay);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                delay = Math.min(delay * 2, 10_000);
            }
        }
    }

    private void store(ConsumerRecord<String, byte[]> r) {
        if (!SubjectExportPart.TYPE.equals(header(r, CloudEventHeaders.TYPE)) || r.value() == null) {
            return;
        }
        String payload = new String(r.value(), StandardCharsets.UTF_8);
        List<EventSchemas.Violation> violations;
        try {
            violations = EventSchemas.validate(Schemas.SUBJECT_EXPORT_PART, JSON.readTree(r.value()));
        } catch (java.io.IOException e) {
            Log.warnf("skipping export part %s-%d@%d: not JSON", r.topic(), r.partition(), r.offset());
            return;
        }
        SubjectExportPart chunk = violations.isEmpty() ? EventJson.read(r.value(), SubjectExportPart.class) : null;
        if (chunk == null || !chunk.partitionKey().equals(r.key()) || !chunk.tenantId().equals(header(r, CloudEventHeaders.TENANT_ID))) {
            Log.warnf("skipping export part %s-%d@%d: it breaks the contract %s", r.topic(), r.partition(), r.offset(),
                    violations.isEmpty() ? "(key or tenant disagree with the payload)" : violations.get(0).message());
            return;
        }
        exports.received(chunk, payload);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
