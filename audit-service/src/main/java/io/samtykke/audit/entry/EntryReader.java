package io.samtykke.audit.entry;

import io.quarkus.logging.Log;
import io.samtykke.audit.privacy.DataKey;
import io.samtykke.audit.privacy.PersonalData;
import io.samtykke.audit.privacy.SubjectKeys;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.VerificationException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns stored entries into what auditors read: the entry bytes parsed, the sealed values opened with
 * their subjects' keys (one key lookup per page), and "erased" where a key is destroyed. An entry whose
 * bytes do not parse is still shown, bytes and all, so the verifier can name it.
 */
@ApplicationScoped
public class EntryReader {

    /** The columns {@link #read} needs, for a select list. */
    public static final String COLUMNS = "seq, entry, leaf_hash";

    @Inject
    SubjectKeys keys;

    private record Stored(long seq, byte[] bytes, byte[] leafHash, LogEntry entry) {
    }

    public Uni<List<AuditEntry>> read(String tenant, Iterable<Row> rows) {
        List<Row> list = new ArrayList<>();
        rows.forEach(list::add);
        // parsing entries and opening sealed values is CPU work: off the event loop
        return Uni.createFrom().item(() -> parse(tenant, list)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .flatMap(stored -> {
                    Set<String> refs = new LinkedHashSet<>();
                    stored.stream().filter(s -> s.entry() != null && s.entry().subject() != null).forEach(s -> refs.add(s.entry().subject()));
                    return keys.forReading(tenant, refs).emitOn(Infrastructure.getDefaultWorkerPool())
                            .map(dataKeys -> stored.stream().map(s -> entry(tenant, s, dataKeys)).toList());
                });
    }

    private static List<Stored> parse(String tenant, List<Row> rows) {
        List<Stored> stored = new ArrayList<>(rows.size());
        for (Row r : rows) {
            byte[] bytes = r.getBuffer("entry").getBytes();
            LogEntry entry = null;
            try {
                entry = LogEntry.read(bytes);
            } catch (VerificationException e) {
                Log.warnf("stored entry %d of %s is unreadable: %s", r.getLong("seq"), tenant, e.getMessage());
            }
            stored.add(new Stored(r.getLong("seq"), bytes, r.getBuffer("leaf_hash").getBytes(), entry));
        }
        return stored;
    }

    private static AuditEntry entry(String tenant, Stored s, Map<String, DataKey> dataKeys) {
        String bytes = Base64.getEncoder().encodeToString(s.bytes());
        String leafHash = Base64.getEncoder().encodeToString(s.leafHash());
        LogEntry e = s.entry();
        if (e == null) {
            return new AuditEntry(s.seq(), null, null, null, null, null, null, null, false, bytes, leafHash, null);
        }
        DataKey key = e.subject() == null ? null : dataKeys.get(e.subject());
        PersonalData.Opened opened = PersonalData.open(e.data(), tenant, e.eventId(), key);
        Object subjectId = opened.payload() instanceof Map<?, ?> payload ? payload.get("subjectId") : null;
        if (subjectId == null && opened.erased() && e.subject() != null) {
            subjectId = PersonalData.ERASED;
        }
        // the position is the row's: entry bytes that name another seq show the log was reordered
        return new AuditEntry(s.seq(), e.eventId(), e.type(), subjectId instanceof String id ? id : null, e.purpose(), e.time(),
                e.receivedAt(), opened.payload(), opened.erased(), bytes, leafHash, null);
    }
}
