package io.samtykke.audit.log;

import io.quarkus.logging.Log;
import io.samtykke.audit.ingest.ReceivedEvent;
import io.samtykke.audit.privacy.DataKey;
import io.samtykke.audit.privacy.PersonalData;
import io.samtykke.audit.privacy.SubjectKeys;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.MerkleTree;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Appends events to their tenants' logs: seals each event's personal values under its subject's key,
 * numbers the new ones densely per tenant (the leaf index) in arrival order and stores their canonical
 * entry bytes and leaf hashes, all in one transaction. An event already in the log (same tenant and
 * ce_id) changes nothing and takes no number. Blocking: runs on the ingest worker thread.
 */
@ApplicationScoped
public class LogWriter {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Inject
    Pool pool;

    @Inject
    SubjectKeys keys;

    @Inject
    Clock clock;

    /**
     * An event that keeps the contract, ready to be logged.
     *
     * @param consentPayload the payload of a consent event as plain values (its personal ones get sealed); null for
     *                       other events, whose payload is sealed whole
     */
    public record Admitted(ReceivedEvent event, Map<String, Object> consentPayload) {
    }

    public record Appended(int stored, int duplicates) {
    }

    private record Sealed(Admitted admitted, String subjectRef, Object data) {
        ReceivedEvent event() {
            return admitted.event();
        }
    }

    public Appended append(List<Admitted> events) {
        Map<String, Map<UUID, Admitted>> byTenant = new TreeMap<>();
        int duplicates = 0;
        for (Admitted a : events) {
            if (byTenant.computeIfAbsent(a.event().tenantId(), t -> new LinkedHashMap<>()).putIfAbsent(a.event().eventId(), a) != null) {
                duplicates++;
            }
        }
        Map<String, List<Sealed>> sealed = new TreeMap<>();
        byTenant.forEach((tenant, admitted) -> sealed.put(tenant, seal(tenant, admitted.values())));

        int stored = 0;
        SqlConnection conn = pool.getConnection().await().atMost(TIMEOUT);
        try {
            Transaction tx = conn.begin().await().atMost(TIMEOUT);
            try {
                OffsetDateTime receivedAt = OffsetDateTime.now(clock);
                for (Map.Entry<String, List<Sealed>> tenant : sealed.entrySet()) {
                    int inserted = appendToTenant(conn, tenant.getKey(), tenant.getValue(), receivedAt);
                    stored += inserted;
                    duplicates += tenant.getValue().size() - inserted;
                }
                tx.commit().await().atMost(TIMEOUT);
            } catch (RuntimeException e) {
                rollback(tx);
                throw e;
            }
        } finally {
            conn.close().await().atMost(TIMEOUT);
        }
        return new Appended(stored, duplicates);
    }

    private List<Sealed> seal(String tenant, Collection<Admitted> admitted) {
        List<String> refs = new ArrayList<>(admitted.size());
        for (Admitted a : admitted) {
            refs.add(a.event().subjectId() == null ? null : keys.pseudonym(tenant, a.event().subjectId()));
        }
        Set<String> distinct = new LinkedHashSet<>(refs);
        distinct.remove(null);
        Map<String, DataKey> dataKeys = distinct.isEmpty() ? Map.of()
                : keys.forWriting(pool, tenant, distinct).await().atMost(TIMEOUT);
        List<Sealed> out = new ArrayList<>(admitted.size());
        int i = 0;
        for (Admitted a : admitted) {
            ReceivedEvent e = a.event();
            String ref = refs.get(i++);
            DataKey key = ref == null ? null : dataKeys.get(ref);
            out.add(new Sealed(a, ref, data(a, key)));
        }
        return out;
    }

    /** The entry's {@code data}: the payload with its personal values sealed under {@code key} (null: the event names no subject). */
    private static Object data(Admitted a, DataKey key) {
        ReceivedEvent e = a.event();
        return a.consentPayload() != null
                ? PersonalData.sealConsentEvent(a.consentPayload(), e.tenantId(), e.eventId(), key)
                : PersonalData.sealWhole(e.payload(), e.tenantId(), e.eventId(), key);
    }

    /**
     * Does for one event, without the database, all that {@link #append} does with it that depends on the event alone:
     * its personal values made canonical for sealing and its entry bytes built (with stand-ins for the data key, the
     * pseudonym, the seq and the time of receipt, none of which changes whether the bytes can be built). Throws
     * (IllegalArgumentException) when they cannot be, e.g. for a string holding a lone UTF-16 surrogate, so an event
     * that could never be stored is refused before it holds up the events stored with it.
     */
    public static void check(Admitted a) {
        ReceivedEvent e = a.event();
        String ref = e.subjectId() == null ? null : "pseudonym";
        Object data = data(a, ref == null ? null : DataKey.DESTROYED);
        new LogEntry(e.tenantId(), 0, e.eventId(), e.type(), e.source(), e.eventTime(), e.purpose(), ref, e.subjectSeq(),
                e.eventTime(), data).toBytes();
    }

    /** Locks the tenant's counter, numbers the events not yet logged and inserts them; returns how many. */
    private int appendToTenant(SqlConnection conn, String tenant, List<Sealed> events, OffsetDateTime receivedAt) {
        long next = conn.preparedQuery("""
                        insert into audit_sequence (tenant_id, next_seq) values ($1, 0)
                        on conflict (tenant_id) do update set next_seq = audit_sequence.next_seq
                        returning next_seq""")
                .execute(Tuple.of(tenant))
                .await().atMost(TIMEOUT)
                .iterator().next().getLong("next_seq");
        Set<UUID> logged = new HashSet<>();
        for (Row r : conn.preparedQuery("select event_id from audit_entry where tenant_id = $1 and event_id = any($2)")
                .execute(Tuple.of(tenant, events.stream().map(s -> s.event().eventId()).toArray(UUID[]::new)))
                .await().atMost(TIMEOUT)) {
            logged.add(r.getUUID("event_id"));
        }
        Instant received = receivedAt.toInstant();
        List<Tuple> rows = new ArrayList<>();
        for (Sealed s : events) {
            ReceivedEvent e = s.event();
            if (logged.contains(e.eventId())) {
                continue;
            }
            LogEntry entry = new LogEntry(tenant, next++, e.eventId(), e.type(), e.source(), e.eventTime(), e.purpose(),
                    s.subjectRef(), e.subjectSeq(), received, s.data());
            byte[] bytes = entry.toBytes();
            rows.add(Tuple.from(Arrays.asList(tenant, entry.seq(), e.eventId(), e.topic(), e.partition(), e.offset(), e.type(),
                    e.source(), s.subjectRef(), e.purpose(), OffsetDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC), receivedAt,
                    Buffer.buffer(bytes), Buffer.buffer(MerkleTree.leafHash(bytes)))));
        }
        if (rows.isEmpty()) {
            return 0;
        }
        conn.preparedQuery("""
                        insert into audit_entry (tenant_id, seq, event_id, topic, kafka_partition, kafka_offset, type, source,
                            subject_ref, purpose, event_time, received_at, entry, leaf_hash)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""")
                .executeBatch(rows)
                .await().atMost(TIMEOUT);
        conn.preparedQuery("update audit_sequence set next_seq = $2 where tenant_id = $1")
                .execute(Tuple.of(tenant, next))
                .await().atMost(TIMEOUT);
        for (Sealed s : events) {
            // an erasure (GDPR Art. 17) crypto-shreds the person in the transaction that logs it: their entries, this
            // one included, stay as they are and verify, but their personal values never open again
            if (!logged.contains(s.event().eventId()) && s.subjectRef() != null
                    && SubjectEventType.ERASED.type().equals(s.event().type())) {
                keys.destroy(conn, tenant, s.subjectRef()).await().atMost(TIMEOUT);
            }
        }
        return rows.size();
    }

    private static void rollback(Transaction tx) {
        try {
            tx.rollback().await().atMost(TIMEOUT);
        } catch (RuntimeException e) {
            Log.debug("rollback after a failed append failed too", e);
        }
    }
}
