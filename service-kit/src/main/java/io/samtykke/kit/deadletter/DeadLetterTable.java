package io.samtykke.kit.deadletter;

import io.micrometer.core.instrument.MeterRegistry;
import io.samtykke.kit.json.StrictJson;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A consumer's table of records it could not use, beside its dead-letter topic: each as received (key, headers,
 * raw value) with its topic, partition, offset and the reason, until an operator replays it. The table's columns
 * are in the module README; the consumer decides what a replay does.
 */
public class DeadLetterTable {

    private static final Logger LOG = Logger.getLogger(DeadLetterTable.class);

    /** One dead letter as the API shows it: where it came from, what it claimed to be, why it was refused. */
    public record View(long id, String topic, int partition, long offset, String tenantId, String eventId, String eventType,
                       String reason, Instant receivedAt, Instant replayedAt, String value) {
    }

    /** One page of a tenant's dead letters; {@code nextAfter} (the {@code after} of the next page) is null on the last. */
    public record Page(List<View> deadLetters, Long nextAfter) {
    }

    /** A stored dead letter with the record rebuilt as it was received, for a replay. */
    public record Stored(View view, ConsumerRecord<String, byte[]> record) {
    }

    private static final String TENANT_ID = "ce_tenantid";
    private static final String ID = "ce_id";
    private static final String TYPE = "ce_type";

    private final Pool pool;
    private final Clock clock;
    private final String table;
    private final AtomicLong waiting = new AtomicLong();
    private volatile String latestReason;

    /**
     * @param table  the table (a plain SQL identifier)
     * @param gauge  the metric of the records waiting, e.g. {@code samtykke.audit.dead.letters}
     */
    public DeadLetterTable(Pool pool, Clock clock, String table, MeterRegistry metrics, String gauge) {
        if (!table.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain SQL identifier: " + table);
        }
        this.pool = pool;
        this.clock = clock;
        this.table = table;
        metrics.gauge(gauge, waiting);
    }

    /** Counts the waiting records once (after start); every change of the table counts again. */
    public void countAtStart() {
        refresh().subscribe().with(v -> { }, e -> LOG.warnf("could not count the dead letters in %s: %s", table, e.toString()));
    }

    /** Dead letters not replayed yet (all tenants). */
    public long waiting() {
        return waiting.get();
    }

    public String latestReason() {
        return latestReason;
    }

    public Uni<Void> refresh() {
        return pool.query("""
                        select count(*), (select reason from %s where replayed_at is null order by id desc limit 1)
                        from %s where replayed_at is null""".formatted(table, table)).execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    waiting.set(r.getLong(0));
                    latestReason = r.getString(1);
                })
                .replaceWithVoid();
    }

    /** Keeps {@code record} with its reason; a record already kept (redelivered) stays as it is. */
    public Uni<Void> keep(ConsumerRecord<String, byte[]> record, String reason) {
        JsonArray headers = new JsonArray();
        for (Header h : record.headers()) {
            headers.add(new JsonObject().put("key", h.key())
                    .put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value())));
        }
        return pool.preparedQuery("""
                        insert into %s (topic, kafka_partition, kafka_offset, tenant_id, event_id, record_key, headers,
                            value, reason, received_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        on conflict (topic, kafka_partition, kafka_offset) do nothing""".formatted(table))
                .execute(Tuple.from(new Object[] {record.topic(), record.partition(), record.offset(),
                        readableHeader(record, TENANT_ID), readableHeader(record, ID),
                        readable(record.key()), headers,
                        Buffer.buffer(record.value() == null ? new byte[0] : record.value()), printable(reason),
                        OffsetDateTime.now(clock)}))
                .flatMap(rows -> refresh());
    }

    /** The tenant's dead letters, oldest first, after {@code afterId}. */
    public Uni<List<View>> list(String tenant, long afterId, int limit, boolean includeReplayed) {
        return pool.preparedQuery("""
                        select * from %s where tenant_id = $1 and id > $2 and ($3 or replayed_at is null)
                        order by id limit $4""".formatted(table))
                .execute(Tuple.of(tenant, afterId, includeReplayed, limit))
                .map(rows -> {
                    List<View> views = new ArrayList<>();
                    rows.forEach(r -> views.add(view(r)));
                    return views;
                });
    }

    /** {@link #list}, as a page with the cursor of the next one. */
    public Uni<Page> page(String tenant, long afterId, int limit, boolean includeReplayed) {
        return list(tenant, afterId, limit, includeReplayed)
                .map(views -> new Page(views, views.size() < limit ? null : views.get(views.size() - 1).id()));
    }

    public Uni<Optional<Stored>> get(String tenant, long id) {
        return pool.preparedQuery("select * from " + table + " where tenant_id = $1 and id = $2")
                .execute(Tuple.of(tenant, id))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.empty();
                    }
                    Row r = rows.iterator().next();
                    RecordHeaders headers = new RecordHeaders();
                    for (Object o : r.getJsonArray("headers")) {
                        JsonObject h = (JsonObject) o;
                        String value = h.getString("value");
                        headers.add(h.getString("key"), value == null ? null : Base64.getDecoder().decode(value));
                    }
                    byte[] value = r.getBuffer("value").getBytes();
                    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(r.getString("topic"), r.getInteger("kafka_partition"),
                            r.getLong("kafka_offset"), ConsumerRecord.NO_TIMESTAMP, TimestampType.NO_TIMESTAMP_TYPE,
                            ConsumerRecord.NULL_SIZE, value.length, r.getString("record_key"), value, headers, Optional.empty());
                    return Optional.of(new Stored(view(r), record));
                });
    }

    public Uni<Void> replayed(long id) {
        return pool.preparedQuery("update " + table + " set replayed_at = $2 where id = $1")
                .execute(Tuple.of(id, OffsetDateTime.now(clock))).flatMap(rows -> refresh());
    }

    public Uni<Void> stillRefused(long id, String reason) {
        return pool.preparedQuery("update " + table + " set reason = $2 where id = $1")
                .execute(Tuple.of(id, printable(reason))).flatMap(rows -> refresh());
    }

    private static View view(Row r) {
        byte[] value = r.getBuffer("value").getBytes();
        String type = null;
        for (Object o : r.getJsonArray("headers")) {
            JsonObject h = (JsonObject) o;
            if (TYPE.equals(h.getString("key")) && h.getString("value") != null) {
                type = readable(new String(Base64.getDecoder().decode(h.getString("value")), StandardCharsets.UTF_8));
            }
        }
        OffsetDateTime replayed = r.getOffsetDateTime("replayed_at");
        return new View(r.getLong("id"), r.getString("topic"), r.getInteger("kafka_partition"), r.getLong("kafka_offset"),
                r.getString("tenant_id"), r.getString("event_id"), type, r.getString("reason"),
                r.getOffsetDateTime("received_at").toInstant(), replayed == null ? null : replayed.toInstant(),
                Base64.getEncoder().encodeToString(value));
    }

    /** The record's header {@code key} as text when it is plain, short and non-empty (see {@link #readable}), else null. */
    public static String readableHeader(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? null : readable(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** {@code s} when it is non-empty plain text of at most 200 characters (no control character, lone surrogate or U+FFFD), else null. */
    public static String readable(String s) {
        if (s == null || s.isEmpty() || s.length() > 200) {
            return null;
        }
        return StrictJson.problemOf(s) == null && s.indexOf('\uFFFD') < 0 ? s : null;
    }

    /** The reason as text PostgreSQL can hold: control characters and lone surrogates replaced. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                b.append(c).append(s.charAt(++i));
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                b.append('\uFFFD');
            } else {
                b.append(c);
            }
        }
        return b.length() > 2000 ? b.substring(0, 2000) : b.toString();
    }
}
