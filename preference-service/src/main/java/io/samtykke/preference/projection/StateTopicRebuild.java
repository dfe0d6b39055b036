package io.samtykke.preference.projection;

import io.quarkus.logging.Log;
import io.samtykke.contract.ConsentStateSnapshot;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.Topics;
import io.samtykke.kit.kafka.KafkaConnection;
import io.samtykke.preference.purpose.PurposeCatalog;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds the consent projection from the compacted {@link Topics#CONSENT_STATE} topic: reads every
 * partition from the beginning to the end it had when the rebuild started and applies each snapshot (a
 * tombstone erases the person's state for that purpose). Snapshots only replace older rows, so a rebuild
 * may run next to the live projection. The events topic is then followed from its stored offsets (or from
 * the beginning), and events the snapshots already reflect are skipped as duplicates.
 */
@ApplicationScoped
public class StateTopicRebuild {

    private static final Duration DB_TIMEOUT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    @Inject
    PurposeCatalog catalog;

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    /** Whether the projection holds nothing yet (no stored offsets, no subjects): the moment to rebuild. Blocking. */
    public boolean projectionIsEmpty() {
        return pool.query("select (select count(*) from projection_offset) + (select count(*) from projection_subject) as n")
                .execute().map(rows -> rows.iterator().next().getLong("n") == 0).await().atMost(Duration.ofSeconds(30));
    }

    /** Reads the state topic to its current end; answers how many records it applied. Blocks: not on an event loop. */
    public long run() {
        long started = System.nanoTime();
        Map<String, Object> settings = new java.util.HashMap<>(KafkaConnection.settings(kafkaConfig));
        settings.put(ConsumerConfig.CLIENT_ID_CONFIG, "preference-projection-rebuild");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(settings, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = c.partitionsFor(Topics.CONSENT_STATE, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                Log.infof("%s does not exist yet; nothing to rebuild from", Topics.CONSENT_STATE);
                return 0;
            }
            List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            Set<String> tenants = new HashSet<>();
            long applied = 0;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                c.poll(Duration.ofMillis(500)).forEach(batch::add);
                if (!batch.isEmpty()) {
                    applied += apply(batch, tenants);
                }
            }
            // snapshots carry no channel, category or legal basis: read the catalogs before decisions need them
            for (String tenant : tenants) {
                try {
                    catalog.refresh(tenant).await().atMost(Duration.ofSeconds(30));
                } catch (RuntimeException e) {
                    Log.warnf("could not read the purpose catalog of %s after the rebuild (%s); it is read again later",
                            tenant, e.getMessage());
                }
            }
            Log.infof("rebuilt the consent projection from %d records of %s (%d tenants) in %d ms", applied,
                    Topics.CONSENT_STATE, tenants.size(), (System.nanoTime() - started) / 1_000_000);
            return applied;
        }
    }

    private long apply(List<ConsumerRecord<String, byte[]>> batch, Set<String> tenants) {
        List<ConsumerRecord<String, byte[]>> usable = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            String[] key = r.key() == null ? new String[0] : r.key().split("/", -1);
            if (key.length < 3) {
                Log.warnf("skipping %s-%d@%d: key %s is not tenantId/subjectId/purpose", r.topic(), r.partition(), r.offset(), r.key());
                continue;
            }
            usable.add(r);
            tenants.add(key[0]);
        }
        pool.withTransaction(conn -> Multi.createFrom().iterable(usable)
                        .onItem().transformToUniAndConcatenate(r -> {
                            if (r.value() == null) {
                                String key = r.key();
                                int first = key.indexOf('/');
                                int last = key.lastIndexOf('/');
                                return ProjectionStore.applyTombstone(conn, key.substring(0, first),
                                        key.substring(first + 1, last), key.substring(last + 1));
                            }
                            return snapshot(conn, r);
                        })
                        .collect().asList())
                .await().atMost(DB_TIMEOUT);
        return usable.size();
    }

    private static Uni<Void> snapshot(io.vertx.mutiny.sqlclient.SqlClient conn, ConsumerRecord<String, byte[]> r) {
        ConsentStateSnapshot s;
        try {
            s = EventJson.read(r.value(), ConsentStateSnapshot.class);
        } catch (RuntimeException e) {
            Log.warnf("skipping %s-%d@%d: not a consent state snapshot (%s)", r.topic(), r.partition(), r.offset(), e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (s.state() == null || s.eventId() == null || s.updatedAt() == null || s.subjectSeq() < 1) {
            Log.warnf("skipping %s-%d@%d: a required field of the snapshot is missing", r.topic(), r.partition(), r.offset());
            return Uni.createFrom().voidItem();
        }
        return ProjectionStore.applySnapshot(conn, s);
    }
}
