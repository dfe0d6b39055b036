package io.samtykke.consent.record;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.ActorRequest;
import io.samtykke.consent.record.ConsentApi.ConsentView;
import io.samtykke.consent.record.ConsentApi.HistoryPage;
import io.samtykke.consent.record.ConsentApi.ConfirmationView;
import io.samtykke.consent.record.ConsentApi.HistoryRecord;
import io.samtykke.consent.record.ConsentApi.SourceRequest;
import io.samtykke.consent.record.ConsentApi.SubjectConsents;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentState;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads: current state (one or many subjects), state at an instant, history pages. */
@ApplicationScoped
public class ConsentQueries {

    /**
     * True when another, material notice version of the purpose was first published after the version the state
     * refers to was first published. Versions are compared by their first publication in any language, so a
     * translation published later (of this version or an older one) asks nobody to consent again.
     */
    private static final String RECONSENT = """
            exists (select 1 from notice_version m
                    where m.tenant_id = c.tenant_id and m.purpose_key = c.purpose_key and m.material
                      and m.version <> c.notice_version
                      and (select min(f.published_at) from notice_version f
                           where f.tenant_id = m.tenant_id and f.purpose_key = m.purpose_key and f.version = m.version)
                        > (select min(g.published_at) from notice_version g
                           where g.tenant_id = c.tenant_id and g.purpose_key = c.purpose_key
                             and g.version = c.notice_version))""";

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    ConsentConfig config;

    public Uni<SubjectConsents> current(String tenant, String subjectId) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        return currentOf(tenant, List.of(subjectId), null).map(m -> m.get(subjectId));
    }

    /**
     * Those of {@code purposes} the subject is not opted out of (never asked, granted or pending), in their order: what
     * an opt-out sent again (a STOP, a GPC signal) still has to record, so it records nothing twice.
     */
    public Uni<List<String>> notOptedOut(String tenant, String subjectId, List<String> purposes) {
        return current(tenant, subjectId).map(current -> {
            java.util.Set<String> optedOut = current.consents().stream().filter(c -> c.state().isOptOut())
                    .map(ConsentView::purpose).collect(java.util.stream.Collectors.toSet());
            return purposes.stream().filter(p -> !optedOut.contains(p)).toList();
        });
    }

    /** Current state of up to {@code maxBatchSubjects} subjects, optionally only some purposes. */
    public Uni<List<SubjectConsents>> batch(String tenant, List<String> subjectIds, List<String> purposes) {
        if (subjectIds == null || subjectIds.isEmpty()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/subjectIds", "at least one subject id is required");
        }
        int max = config.consent().maxBatchSubjects();
        if (subjectIds.size() > max) {
            throw ProblemException.at(CommonProblem.TOO_MANY_ITEMS, "/subjectIds",
                    subjectIds.size() + " subjects; at most " + max + " per request");
        }
        for (int i = 0; i < subjectIds.size(); i++) {
            String s = subjectIds.get(i);
            if (s == null || !ConsentRequestValidator.SUBJECT_ID.matcher(s).matches()) {
                throw ProblemException.at(CommonProblem.VALIDATION, "/subjectIds/" + i, "is not a valid subject id");
            }
        }
        if (purposes != null) {
            for (int i = 0; i < purposes.size(); i++) {
                String p = purposes.get(i);
                if (p == null || !PurposeService.KEY.matcher(p).matches()) {
                    throw ProblemException.at(CommonProblem.VALIDATION, "/purposes/" + i, "is not a valid purpose key");
                }
            }
        }
        List<String> distinct = subjectIds.stream().distinct().toList();
        return currentOf(tenant, distinct, purposes).map(m -> distinct.stream().map(m::get).toList());
    }

    private Uni<Map<String, SubjectConsents>> currentOf(String tenant, List<String> subjectIds, List<String> purposes) {
        Instant now = clock.instant();
        String[] ids = subjectIds.toArray(String[]::new);
        // one statement, so the sequence number (the ETag) and the states come from the same snapshot: a client never
        // gets a newer ETag with older states, which would let its next If-Match write pass over a change it never saw
        return pool.preparedQuery("""
                        select s.subject_id, s.seq, c.purpose_key, c.state, c.notice_version, c.notice_language,
                               c.subject_seq, c.event_id, c.updated_at, c.expires_at, %s as reconsent_required
                        from subject s
                        left join consent_current c on c.tenant_id = s.tenant_id and c.subject_id = s.subject_id
                                                   and ($3::text[] is null or c.purpose_key = any($3))
                        where s.tenant_id = $1 and s.subject_id = any($2)
                        order by s.subject_id, c.purpose_key""".formatted(RECONSENT))
                .execute(Tuple.of(tenant, ids, purposes == null ? null : purposes.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Long> seqs = new LinkedHashMap<>();
                    Map<String, List<ConsentView>> views = new LinkedHashMap<>();
                    for (Row r : rows) {
                        seqs.put(r.getString("subject_id"), r.getLong("seq"));
                        if (r.getString("purpose_key") != null) {
                            views.computeIfAbsent(r.getString("subject_id"), k -> new ArrayList<>()).add(view(r, now));
                        }
                    }
                    Map<String, SubjectConsents> out = new LinkedHashMap<>();
                    for (String id : subjectIds) {
                        out.put(id, new SubjectConsents(id, seqs.getOrDefault(id, 0L), null, views.getOrDefault(id, List.of())));
                    }
                    return out;
                });
    }

    /** The state of every purpose as it was recorded at {@code at}. */
    public Uni<SubjectConsents> at(String tenant, String subjectId, Instant at) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        OffsetDateTime atTs = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        return pool.preparedQuery("""
                        select distinct on (c.purpose_key) c.tenant_id, c.subject_id, c.purpose_key, c.state,
                               c.notice_version, c.notice_language, c.subject_seq, c.event_id,
                               c.recorded_at as updated_at, c.expires_at, false as reconsent_required
                        from consent_record c
                        where c.tenant_id = $1 and c.subject_id = $2 and c.recorded_at <= $3
                        order by c.purpose_key, c.subject_seq desc""")
                .execute(Tuple.of(tenant, subjectId, atTs))
                .map(rows -> {
                    List<ConsentView> views = new ArrayList<>();
                    long seq = 0;
                    for (Row r : rows) {
                        ConsentView v = view(r, at);
                        views.add(v);
                        seq = Math.max(seq, v.subjectSeq());
                    }
                    return new SubjectConsents(subjectId, seq, at, views);
                });
    }

    /** One page of a subject's records, oldest first or newest first; the cursor is opaque. */
    public Uni<HistoryPage> history(String tenant, String subjectId, String cursor, Integer limit, boolean newestFirst) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        int size = limit == null ? config.consent().historyPageSize() : limit;
        if (size < 1 || size > 500) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/query/limit", "must be between 1 and 500");
        }
        long after = cursor == null ? (newestFirst ? Long.MAX_VALUE : 0) : decodeCursor(cursor);
        String sql = """
                select * from consent_record where tenant_id = $1 and subject_id = $2 and subject_seq %s $3
                order by subject_seq %s limit $4""".formatted(newestFirst ? "<" : ">", newestFirst ? "desc" : "asc");
        return pool.preparedQuery(sql).execute(Tuple.of(tenant, subjectId, after, size + 1)).map(rows -> {
            List<HistoryRecord> records = new ArrayList<>();
            for (Row r : rows) {
                records.add(historyRecord(r));
            }
            String next = null;
            if (records.size() > size) {
                records = records.subList(0, size);
                next = encodeCursor(records.get(size - 1).subjectSeq());
            }
            return new HistoryPage(subjectId, List.copyOf(records), next);
        });
    }

    private static ConsentView view(Row r, Instant now) {
        Instant expires = instant(r, "expires_at");
        ConsentState state = new ConsentPlanner.CurrentConsent(ConsentState.valueOf(r.getString("state")), expires,
                r.getUUID("event_id"))
                .effectiveState(now);
        return new ConsentView(r.getString("purpose_key"), state, r.getString("notice_version"),
                r.getString("notice_language"), r.getLong("subject_seq"), r.getUUID("event_id"),
                instant(r, "updated_at"), expires,
                state == ConsentState.GRANTED && Boolean.TRUE.equals(r.getBoolean("reconsent_required")));
    }

    private static HistoryRecord historyRecord(Row r) {
        String actorType = r.getString("actor_type");
        return new HistoryRecord(r.getUUID("event_id"), r.getLong("subject_seq"), r.getUUID("request_id"),
                r.getString("purpose_key"), ConsentAction.valueOf(r.getString("action")),
                ConsentState.valueOf(r.getString("previous_state")), ConsentState.valueOf(r.getString("state")),
                r.getString("notice_version"), r.getString("notice_language"), r.getString("notice_sha256"),
                instant(r, "occurred_at"), instant(r, "recorded_at"), instant(r, "expires_at"),
                new SourceRequest(r.getString("source_app_id"), r.getString("source_platform"),
                        r.getString("source_app_version"), r.getString("collection_point")),
                new ActorRequest(ActorType.valueOf(actorType), r.getString("actor_id")),
                r.getString("language"), r.getString("ip_prefix"), r.getString("user_agent"),
                r.getUUID("confirmation_token_id") == null ? null : new ConfirmationView(r.getUUID("confirmation_token_id"),
                        r.getUUID("confirmation_pending_event_id"), instant(r, "confirmation_requested_at"),
                        instant(r, "occurred_at")));
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s:" + seq).getBytes(StandardCharsets.UTF_8));
    }

    static long decodeCursor(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!s.startsWith("s:")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(s.substring(2));
        } catch (IllegalArgumentException e) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/query/cursor", "is not a cursor this API returned");
        }
    }
}
