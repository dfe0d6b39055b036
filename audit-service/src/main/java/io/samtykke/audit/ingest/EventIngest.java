package io.samtykke.audit.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.samtykke.audit.ingest.ReceivedEvent.NotAnEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Appends every consent event to its tenant's log, once: a redelivered event (same tenant and ce_id)
 * changes nothing. The record is acknowledged, so its offset committed, only after the transaction
 * commits; while PostgreSQL is unreachable the record is retried and the partition waits.
 */
@ApplicationScoped
public class EventIngest {

    private static final Logger LOG = Logger.getLogger(EventIngest.class);

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry metrics;

    @Incoming("consent-events")
    public Uni<Void> ingest(ConsumerRecord<String, byte[]> record) {
        ReceivedEvent event;
        try {
            event = ReceivedEvent.of(record);
        } catch (NotAnEvent e) {
            LOG.warnf("skipping %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            count("skipped");
            return Uni.createFrom().voidItem();
        }
        return pool.withTransaction(conn -> append(conn, event))
                .onFailure().invoke(e -> LOG.warnf("could not store event %s of %s (%s); retrying",
                        event.eventId(), event.tenantId(), e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .invoke(stored -> count(stored ? "stored" : "duplicate"))
                .replaceWithVoid();
    }

    /** Takes the tenant's next seq under a row lock and inserts the entry; true when it was new. */
    private Uni<Boolean> append(SqlConnection conn, ReceivedEvent e) {
        return conn.preparedQuery("""
                        insert into audit_sequence (tenant_id, next_seq) values ($1, 0)
                        on conflict (tenant_id) do update set next_seq = audit_sequence.next_seq
                        returning next_seq""")
                .execute(Tuple.of(e.tenantId()))
                .map(rows -> rows.iterator().next().getLong("next_seq"))
                .flatMap(seq -> conn.preparedQuery("""
                                with entry as (
                                    insert into audit_entry (tenant_id, seq, event_id, topic, kafka_partition, kafka_offset,
                                        type, source, subject_id, purpose, event_time, received_at, headers, payload)
                                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::text::jsonb, $14)
                                    on conflict (tenant_id, event_id) do nothing
                                    returning seq)
                                update audit_sequence set next_seq = next_seq + 1
                                where tenant_id = $1 and exists (select 1 from entry)""")
                        .execute(Tuple.from(Arrays.asList(e.tenantId(), seq, e.eventId(), e.topic(), e.partition(),
                                e.offset(), e.type(), e.source(), e.subjectId(), e.purpose(),
                                OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC), OffsetDateTime.now(clock),
                                headersJson(e), Buffer.buffer(e.payload())))))
                .map(rows -> rows.rowCount() == 1);
    }

    private String headersJson(ReceivedEvent e) {
        try {
            return json.writeValueAsString(e.headers());
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("headers of " + e.eventId() + " cannot be written as JSON", ex);
        }
    }

    private void count(String outcome) {
        metrics.counter("samtykke.audit.ingested", "outcome", outcome).increment();
    }
}
