package io.samtykke.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How many records the cluster's two consumers are behind the topics' ends. audit-service's is its consumer group's
 * committed offsets (what kafka-consumer-groups shows; it commits every few seconds, so this is an upper bound);
 * preference-service's projection keeps its offsets in its own database with the projected rows
 * ({@code projection_offset}), so its lag is exact. Also how far audit-service's signed checkpoints trail its log.
 * One instance per thread (it holds JDBC connections).
 */
final class ConsumerLag implements AutoCloseable {

    private final Admin admin;
    private final String auditGroup;
    private final Connection preference;
    private final Connection audit;

    ConsumerLag(String bootstrap, String auditGroup, String preferenceJdbc, String auditJdbc, String user, String password)
            throws Exception {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        this.auditGroup = auditGroup;
        this.preference = DriverManager.getConnection(preferenceJdbc, user, password);
        this.audit = DriverManager.getConnection(auditJdbc, user, password);
    }

    /** audit-service's group: records on its partitions past its committed offsets. */
    long audit() throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>();
        admin.listConsumerGroupOffsets(auditGroup).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .forEach((tp, o) -> positions.put(tp, o == null ? 0 : ((OffsetAndMetadata) o).offset()));
        return behind(positions);
    }

    /** The projection: records past the offsets it stored with its rows. */
    long projection() throws Exception {
        Map<TopicPartition, Long> positions = new HashMap<>();
        try (Statement s = preference.createStatement();
             ResultSet rs = s.executeQuery("select topic, partition, next_offset from projection_offset")) {
            while (rs.next()) {
                positions.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        }
        return behind(positions);
    }

    /**
     * How long the oldest log entry not yet covered by a signed checkpoint has been stored, in ms (0 when every entry
     * is covered): how far the signed state of the log trails its head. A checkpoint of tree size n covers seq &lt; n.
     */
    double uncoveredAgeMillis() throws Exception {
        try (Statement s = audit.createStatement();
             ResultSet rs = s.executeQuery("""
                     select coalesce(max(extract(epoch from clock_timestamp() - u.received_at)) * 1000, 0)
                     from audit_sequence q
                     cross join lateral (select e.received_at from audit_entry e
                                         where e.tenant_id = q.tenant_id
                                           and e.seq >= coalesce((select max(c.tree_size) from audit_checkpoint c
                                                                  where c.tenant_id = q.tenant_id), 0)
                                         order by e.seq limit 1) u""")) {
            rs.next();
            return rs.getDouble(1);
        }
    }

    private long behind(Map<TopicPartition, Long> positions) throws Exception {
        if (positions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        positions.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        long sum = 0;
        for (var e : positions.entrySet()) {
            sum += Math.max(0, ends.get(e.getKey()).offset() - e.getValue());
        }
        return sum;
    }

    @Override
    public void close() throws Exception {
        admin.close();
        preference.close();
        audit.close();
    }
}
