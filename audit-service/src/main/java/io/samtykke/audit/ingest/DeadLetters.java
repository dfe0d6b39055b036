package io.samtykke.audit.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.samtykke.contract.CloudEventHeaders;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
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
 * The table of records the log could not admit or store ({@code dead_letter}), beside the dead-letter topic:
 * each as received, with its topic, partition, offset and the reason, until an operator replays it.
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    /** One dead letter as the API shows it: where it came from, what it claimed to be, why it was refused. */
    public record View(long id, String topic, int partition, long offset, String tenantId, String eventId, String eventType,
                       String reason, Instant receivedAt, Instant replayedAt, String value) {
    }

    /** A stored dead letter with the record rebuilt as it was received, for a replay. */
    public record Stored(View view, ConsumerRecord<String, byte[]> record) {
    }

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry metrics;

    private final AtomicLong waiting = new AtomicLong();
    private volatile String latestReason;

    void onStart(@Observes StartupEvent ev) {
        metrics.gauge("samtykke.audit.dead.letters", waiting);
        refresh().subscribe().with(v -> { }, e -> LOG.warnf("could not count the dead letters: %s", e.toString()));
    }

    /** Dead letters not replayed yet (all tenants). */
    public long waiting() {
        return waiting.get();
    }

    public String latestReason() {
        return latestReason;
    }

    Uni<Void> refresh() {
        return pool.query("""
                        select count(*), (select reason from dead_letter where replayed_at is null order by id desc limit 1)
                        from dead_letter where replayed_at is null""").execute()
                .invoke(rows -> {
                    Row r = rows.iterator().next();
                    waiting.set(r.getLong(0));
                    latestReason = r.getString(1);
                })
                .replaceWithVoid();
    }

    /** Keeps {@code record} with its reason; a record already kept (redelivered) stays as it is. */
    Uni<Void> keep(ConsumerRecord<String, byte[]> record, String reason) {
        JsonArray headers = new JsonArray();
        for (Header h : record.headers()) {
            headers.add(new JsonObject().put("key", h.key())
                    .put("value", h.value() == null ? null : Base64.getEncoder().encodeToString(h.value())));
        }
        return pool.preparedQuery("""
                        insert into dead_letter (topic, kafka_partition, kafka_offset, tenant_id, event_id, record_key, headers,
                            value, reason, received_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        on conflict (topic, kafka_partition, kafka_offset) do nothing""")
                .execute(Tuple.from(new Object[] {record.topic(), record.partition(), record.offset(),
                        readable(header(record, CloudEventHeaders.TENANT_ID)), readable(header(record, CloudEventHeaders.ID)),
                        readable(record.key()), headers,
                        Buffer.buffer(record.value() == null ? new byte[0] : record.value()), printable(reason),
                        OffsetDateTime.now(clock)}))
                .flatMap(rows -> refresh());
    }

    /** The tenant's dead letters, oldest first, after {@code afterId}. */
    public Uni<List<View>> list(String tenant, long afterId, int limit, boolean includeReplayed) {
        return pool.preparedQuery("""
                        select * from dead_letter where tenant_id = $1 and id > $2 and ($3 or replayed_at is null)
                        order by id limit $4""")
                .execute(Tuple.of(tenant, afterId, includeReplayed, limit))
                .map(rows -> {
                    List<View> views = new ArrayList<>();
                    rows.forEach(r -> views.add(view(r)));
                    return views;
                });
    }

    public Uni<Optional<Stored>> get(String tenant, long id) {
        return pool.preparedQuery("select * from dead_letter where tenant_id = $1 and id = $2")
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

    Uni<Void> replayed(long id) {
        return pool.preparedQuery("update dead_letter set replayed_at = $2 where id = $1")
                .execute(Tuple.of(id, OffsetDateTime.now(clock))).flatMap(rows -> refresh());
    }

    Uni<Void> stillRefused(long id, String reason) {
        return pool.preparedQuery("update dead_letter set reason = $2 where id = $1")
                .execute(Tuple.of(id, printable(reason))).flatMap(rows -> refresh());
    }

    private static View view(Row r) {
        byte[] value = r.getBuffer("value").getBytes();
        String type = null;
        for (Object o : r.getJsonArray("headers")) {
            JsonObject h = (JsonObject) o;
            if (CloudEventHeaders.TYPE.equals(h.getString("key")) && h.getString("value") != null) {
                type = readable(new String(Base64.getDecoder().decode(h.getString("value")), StandardCharsets.UTF_8));
            }
        }
        OffsetDateTime replayed = r.getOffsetDateTime("replayed_at");
        return new View(r.getLong("id"), r.getString("topic"), r.getInteger("kafka_partition"), r.getLong("kafka_offset"),
                r.getString("tenant_id"), r.getString("event_id"), type, r.getString("reason"),
                r.getOffsetDateTime("received_at").toInstant(), replayed == null ? null : replayed.toInstant(),
                Base64.getEncoder().encodeToString(value));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String key) {
        Header h = record.headers().lastHeader(key);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A short text column value, or null when {@code s} is not plain text PostgreSQL can hold. */
    private static String readable(String s) {
        if (s == null || s.length() > 256) {
            return null;
        }
        return io.samtykke.kit.json.StrictJson.problemOf(s) == null && s.indexOf('\uFFFD') < 0 ? s : null;
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
