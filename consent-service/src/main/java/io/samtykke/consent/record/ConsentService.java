package io.samtykke.consent.record;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.idempotency.IdempotencyStore.StoredResponse;
import io.samtykke.consent.idempotency.IdempotencyStore;
import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.outbox.OutboxSlots;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.ConsentWriteResponse;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.ConsentApi.RecordView;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.contract.Schemas;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.kit.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The write path: validate, then in ONE transaction lock the subject, apply the state machine,
 * append the records, update current state, append the outbox rows and store the idempotent response.
 */
@ApplicationScoped
public class ConsentService {

    public static final Pattern SUBJECT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+|-]{0,127}");

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    ConsentConfig config;

    @Inject
    IdempotencyStore idempotency;

    @Inject
    IdentifierStore identifiers;

    @Inject
    ObjectMapper json;

    /** Context of one write that does not come from the body. */
    public record WriteContext(Caller caller, String idempotencyKey, String ifMatch, String remoteIp, String userAgent,
                               String traceparent) {

        /** W3C trace context: version 00, 32-hex trace id, 16-hex parent id, 2-hex flags. */
        private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

        public WriteContext(Caller caller, String idempotencyKey, String ifMatch, String remoteIp, String userAgent) {
            this(caller, idempotencyKey, ifMatch, remoteIp, userAgent, null);
        }

        /** The caller's trace context, carried to Kafka as ce_traceparent; malformed values are dropped. */
        String validTraceparent() {
            return traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
        }
    }

    /** A finished write: status, body and the subject's new ETag. */
    public record WriteResult(int status, ConsentWriteResponse body, String etag, boolean replayed) {
    }

    public Uni<WriteResult> write(String subjectId, ConsentRequest request, WriteContext ctx) {
        Caller caller = ctx.caller();
        validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        validate(request, caller);
        String requestHash = idempotency.hash("POST /v1/subjects/" + subjectId + "/consents", request);
        String clientId = caller.subject() == null ? "" : caller.subject();
        if (ctx.idempotencyKey() == null) {
            return pool.withTransaction(conn -> writeInTransaction(conn, subjectId, request, ctx, null, null));
        }
        String key = IdempotencyStore.normalizeKey(ctx.idempotencyKey());
        return idempotency.find(caller.tenant(), clientId, key)
                .flatMap(stored -> stored != null
                        ? Uni.createFrom().item(replay(stored, requestHash))
                        : pool.withTransaction(conn -> writeInTransaction(conn, subjectId, request, ctx, key, requestHash))
                        .onFailure(IdempotencyStore::isDuplicateKey).recoverWithUni(e ->
                                // a concurrent request with the same key won; answer what it answered
                                idempotency.find(caller.tenant(), clientId, key).map(s -> {
                                    if (s == null) {
                                        throw new ProblemException(ConsentProblem.IDEMPOTENCY_IN_PROGRESS,
                                                "a request with this Idempotency-Key is still running; retry later");
                                    }
                                    return replay(s, requestHash);
                                })));
    }

    /**
     * Records system changes (expiries) that clients may not send. Runs the same transaction as a
     * client write, so the records, current state and outbox stay consistent.
     */
    public Uni<WriteResult> writeAsSystem(String tenant, String subjectId, List<Change> changes) {
        Caller system = new Caller(tenant, "samtykke-system", Set.of());
        ConsentRequest request = new ConsentRequest(changes,
                new EvidenceRequest(null, new ConsentApi.ActorRequest(ActorType.SYSTEM, "consent-service"), null, null, null, null),
                null);
        return pool.withTransaction(conn -> writeInTransaction(conn, subjectId, request,
                new WriteContext(system, null, null, null, null), null, null));
    }

    private WriteResult replay(StoredResponse stored, String requestHash) {
        if (!stored.requestHash().equals(requestHash)) {
            throw new ProblemException(ConsentProblem.IDEMPOTENCY_KEY_REUSED,
                    "this Idempotency-Key was used for a different request");
        }
        try {
            // stored by an earlier version perhaps: read leniently, whatever the strictness of request bodies
            return new WriteResult(stored.status(), json.readerFor(ConsentWriteResponse.class)
                    .without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(stored.response()),
                    stored.etag(), true);
        } catch (Exception e) {
            throw new IllegalStateException("stored idempotent response is unreadable", e);
        }
    }

    private Uni<WriteResult> writeInTransaction(SqlConnection conn, String subjectId, ConsentRequest request,
                                                WriteContext ctx, String idempotencyKey, String requestHash) {
        Caller caller = ctx.caller();
        String tenant = caller.tenant();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        OffsetDateTime nowTs = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        return conn.preparedQuery("""
                        insert into subject (tenant_id, subject_id, seq, created_at, updated_at) values ($1, $2, 0, $3, $3)
                        on conflict (tenant_id, subject_id) do update set updated_at = subject.updated_at
                        returning seq""")
                .execute(Tuple.of(tenant, subjectId, nowTs))
                .map(rows -> rows.iterator().next().getLong("seq"))
                // holding the subject's row lock now: a request with the same key that ran meanwhile has committed,
                // so a retry sent while the first was still running gets the first's answer, not a 412 or 409
                .flatMap(seq -> (idempotencyKey == null ? Uni.createFrom().<WriteResult>nullItem()
                        : idempotency.find(conn, tenant, caller.subject() == null ? "" : caller.subject(), idempotencyKey)
                        .map(stored -> stored == null ? null : replay(stored, requestHash)))
                        .onItem().ifNull().switchTo(() -> writeLocked(conn, subjectId, request, ctx, idempotencyKey, requestHash,
                                seq, now, nowTs)));
    }

    /** The write itself, with the subject's row locked and its sequence number read. */
    private Uni<WriteResult> writeLocked(SqlConnection conn, String subjectId, ConsentRequest request, WriteContext ctx,
                                         String idempotencyKey, String requestHash, long seq, Instant now,
                                         OffsetDateTime nowTs) {
        Caller caller = ctx.caller();
        String tenant = caller.tenant();
        String[] keyArray = request.changes().stream().map(Change::purpose).toArray(String[]::new);
        checkIfMatch(ctx.ifMatch(), seq);
        Uni<Map<String, PurposeRow>> purposes = conn.preparedQuery("""
                        select key, channel, legal_basis, category, validity, double_opt_in, active
                        from purpose where tenant_id = $1 and key = any($2)""")
                .execute(Tuple.of(tenant, keyArray))
                .map(rows -> {
                    Map<String, PurposeRow> m = new HashMap<>();
                    for (Row r : rows) {
                        m.put(r.getString("key"), new PurposeRow(r.getString("key"),
                                Channel.valueOf(r.getString("channel")),
                                LegalBasis.valueOf(r.getString("legal_basis")),
                                PurposeCategory.valueOf(r.getString("category")),
                                r.getString("validity"), r.getBoolean("double_opt_in"), r.getBoolean("active")));
                    }
                    return m;
                });
        Uni<List<NoticeRow>> notices = conn.preparedQuery("""
                        select purpose_key, version, language, content_sha256, url, material
                        from notice_version where tenant_id = $1 and purpose_key = any($2)""")
                .execute(Tuple.of(tenant, keyArray))
                .map(rows -> {
                    List<NoticeRow> l = new ArrayList<>();
                    for (Row r : rows) {
                        l.add(new NoticeRow(r.getString("purpose_key"), r.getString("version"),
                                r.getString("language"), r.getString("content_sha256"), r.getString("url"),
                                r.getBoolean("material")));
                    }
                    return l;
                });
        Uni<Map<String, CurrentRow>> current = conn.preparedQuery("""
                        select purpose_key, state, expires_at from consent_current
                        where tenant_id = $1 and subject_id = $2 and purpose_key = any($3)""")
                .execute(Tuple.of(tenant, subjectId, keyArray))
                .map(rows -> {
                    Map<String, CurrentRow> m = new HashMap<>();
                    for (Row r : rows) {
                        OffsetDateTime exp = r.getOffsetDateTime("expires_at");
                        m.put(r.getString("purpose_key"), new CurrentRow(
                                ConsentState.valueOf(r.getString("state")), exp == null ? null : exp.toInstant()));
                    }
                    return m;
                });
        return Uni.combine().all().unis(purposes, notices, current).asTuple()
                .flatMap(t -> {
                    List<ConsentEvent> events = plan(tenant, subjectId, seq, request, ctx, now,
                            t.getItem1(), t.getItem2(), t.getItem3());
                    if (events.isEmpty()) {
                        // only system expiries that were no longer due (renewed or changed since they were picked)
                        return Uni.createFrom().item(new WriteResult(200,
                                new ConsentWriteResponse(subjectId, null, seq, List.of()), etag(seq), false));
                    }
                    long newSeq = seq + events.size();
                    ConsentWriteResponse response = new ConsentWriteResponse(subjectId,
                            events.get(0).requestId(), newSeq,
                            events.stream().map(this::view).toList());
                    String etag = etag(newSeq);
                    return persist(conn, events, nowTs, ctx.validTraceparent())
                            .flatMap(v -> conn.preparedQuery(
                                            "update subject set seq = $3, updated_at = $4 where tenant_id = $1 and subject_id = $2")
                                    .execute(Tuple.of(tenant, subjectId, newSeq, nowTs)))
                            .flatMap(v -> request.identifiers() == null || request.identifiers().isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : identifiers.attach(conn, tenant, subjectId, request.identifiers(), now))
                            .flatMap(v -> idempotencyKey == null
                                    ? Uni.createFrom().voidItem()
                                    : idempotency.store(conn, tenant, caller.subject() == null ? "" : caller.subject(),
                                    idempotencyKey, requestHash, 201, response, etag, now))
                            .map(v -> new WriteResult(201, response, etag, false));
                });
    }

    /** Applies the state machine to every change; all or nothing. */
    private List<ConsentEvent> plan(String tenant, String subjectId, long seq, ConsentRequest request, WriteContext ctx,
                                    Instant now, Map<String, PurposeRow> purposes, List<NoticeRow> notices,
                                    Map<String, CurrentRow> current) {
        UUID requestId = UUID.randomUUID();
        EvidenceRequest ev = request.evidence();
        String language = ev == null ? null : ev.language();
        Instant occurredAt = ev == null || ev.occurredAt() == null ? now : ev.occurredAt();
        if (occurredAt.isAfter(now.plus(config.consent().maxClockSkew()))) {
            throw ProblemException.at(ConsentProblem.FUTURE_TIMESTAMP, "/evidence/occurredAt",
                    "occurredAt " + occurredAt + " is later than the server time " + now + " plus the allowed skew "
                            + config.consent().maxClockSkew());
        }
        boolean relaying = ctx.caller().roles().contains(Caller.APP);
        String ip = relaying && ev != null && ev.ipAddress() != null ? ev.ipAddress() : ctx.remoteIp();
        String ua = relaying && ev != null && ev.userAgent() != null ? ev.userAgent() : ctx.userAgent();
        ConsentEvent.Evidence evidence = new ConsentEvent.Evidence(
                ev == null || ev.source() == null ? new ConsentEvent.Source(null, null, null, null)
                        : new ConsentEvent.Source(ev.source().appId(), ev.source().platform(), ev.source().appVersion(),
                        ev.source().collectionPoint()),
                actor(ev, ctx.caller(), subjectId),
                language,
                IpPrefix.of(ip),
                ua == null ? null : truncate(ua, 512));

        List<Problem.FieldError> errors = new ArrayList<>();
        List<ConsentEvent> events = new ArrayList<>();
        List<Change> changes = request.changes();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            String at = "/changes/" + i;
            PurposeRow p = purposes.get(c.purpose());
            if (p == null) {
                throw ProblemException.at(ConsentProblem.UNKNOWN_PURPOSE, at + "/purpose",
                        "purpose '" + c.purpose() + "' does not exist in this tenant");
            }
            if (!p.active() && (c.action() == ConsentAction.GRANT || c.action() == ConsentAction.CONFIRM)) {
                // a purpose taken out of use takes no new consent; saying no to it (withdraw, deny, object) always works
                throw ProblemException.at(ConsentProblem.UNKNOWN_PURPOSE, at + "/purpose",
                        "purpose '" + c.purpose() + "' is not active in this tenant: it takes no new consent");
            }
            NoticeRow notice = null;
            if (c.noticeVersion() != null) {
                notice = pickNotice(notices, c.purpose(), c.noticeVersion(), language);
                if (notice == null) {
                    throw ProblemException.at(ConsentProblem.UNKNOWN_NOTICE, at + "/noticeVersion",
                            "notice version '" + c.noticeVersion() + "' of '" + c.purpose() + "' is not published");
                }
            }
            CurrentRow cur = current.get(c.purpose());
            if (c.action() == ConsentAction.EXPIRE && (cur == null || cur.state() != ConsentState.GRANTED
                    || cur.expiresAt() == null || cur.expiresAt().isAfter(now))) {
                continue; // picked by the expiry job, but renewed or changed since: nothing is due
            }
            ConsentState from = cur == null ? ConsentState.NONE
                    : c.action() == ConsentAction.EXPIRE ? cur.state() : cur.effectiveState(now);
            ConsentState to;
            try {
                to = Transitions.next(from, c.action(), p.legalBasis(), p.doubleOptIn());
            } catch (Transitions.IllegalTransition e) {
                errors.add(new Problem.FieldError(e.getMessage(), at + "/action"));
                continue;
            }
            Instant expiresAt = null;
            if (to == ConsentState.GRANTED && p.validity() != null) {
                Period validity = PurposeService.parsePeriod(p.validity());
                expiresAt = validity == null ? null : now.atOffset(ZoneOffset.UTC).plus(validity).toInstant();
            }
            ConsentEvent.Notice n = notice == null ? null
                    : new ConsentEvent.Notice(notice.version(), notice.language(), notice.sha256(), notice.url(), notice.material());
            events.add(new ConsentEvent(UUID.randomUUID(), tenant, subjectId, seq + events.size() + 1, requestId,
                    c.purpose(), p.channel(), p.category(), p.legalBasis(), c.action(), from, to, n, evidence,
                    occurredAt, now, expiresAt));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(ConsentProblem.ILLEGAL_TRANSITION,
                    errors.size() == 1 ? errors.get(0).detail() : errors.size() + " changes are not allowed", errors);
        }
        return events;
    }

    private Uni<Void> persist(SqlConnection conn, List<ConsentEvent> events, OffsetDateTime nowTs, String traceparent) {
        List<Tuple> records = new ArrayList<>();
        List<Tuple> currents = new ArrayList<>();
        List<Tuple> outbox = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        List<String> payloads = requireContract(events);
        for (int k = 0; k < events.size(); k++) {
            ConsentEvent e = events.get(k);
            ConsentEvent.Notice n = e.notice();
            ConsentEvent.Evidence ev = e.evidence();
            OffsetDateTime expires = e.expiresAt() == null ? null : OffsetDateTime.ofInstant(e.expiresAt(), ZoneOffset.UTC);
            records.add(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(), e.requestId(),
                    e.purpose(), e.action().name(), e.previousState().name(), e.state().name(),
                    n == null ? null : n.version(), n == null ? null : n.language(), n == null ? null : n.contentSha256(),
                    OffsetDateTime.ofInstant(e.occurredAt(), ZoneOffset.UTC), nowTs, expires,
                    ev.source().appId(), ev.source().platform(), ev.source().appVersion(), ev.source().collectionPoint(),
                    ev.actor().type().name(), ev.actor().id(), ev.language(), ev.ipPrefix(), ev.userAgent())));
            currents.add(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.purpose(), e.state().name(),
                    n == null ? null : n.version(), n == null ? null : n.language(), e.eventId(), e.subjectSeq(), nowTs, expires)));
            int slot = OutboxSlots.slotOf(e.tenantId(), e.subjectId());
            slots.add(slot);
            outbox.add(Tuple.from(Arrays.asList((short) slot, e.tenantId(), e.subjectId(), e.subjectSeq(), e.eventId(),
                    e.eventType().type(), payloads.get(k), traceparent, nowTs)));
        }
        return conn.preparedQuery("""
                        insert into consent_record (tenant_id, subject_id, subject_seq, event_id, request_id, purpose_key,
                            action, previous_state, state, notice_version, notice_language, notice_sha256, occurred_at,
                            recorded_at, expires_at, source_app_id, source_platform, source_app_version, collection_point,
                            actor_type, actor_id, language, ip_prefix, user_agent)
                        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                            $20, $21, $22, $23, $24)""")
                .executeBatch(records)
                .flatMap(v -> conn.preparedQuery("""
                                insert into consent_current (tenant_id, subject_id, purpose_key, state, notice_version,
                                    notice_language, event_id, subject_seq, updated_at, expires_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                                on conflict (tenant_id, subject_id, purpose_key) do update set
                                    state = excluded.state,
                                    notice_version = coalesce(excluded.notice_version, consent_current.notice_version),
                                    notice_language = coalesce(excluded.notice_language, consent_current.notice_language),
                                    event_id = excluded.event_id, subject_seq = excluded.subject_seq,
                                    updated_at = excluded.updated_at, expires_at = excluded.expires_at""")
                        .executeBatch(currents))
                .flatMap(v -> conn.preparedQuery("""
                                insert into outbox (slot, tenant_id, subject_id, subject_seq, event_id, event_type, payload,
                                    traceparent, created_at)
                                values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""")
                        .executeBatch(outbox))
                .flatMap(v -> conn.preparedQuery("select pg_notify($1, $2)")
                        .executeBatch(slots.stream().map(s -> Tuple.of(OutboxSlots.CHANNEL, Integer.toString(s))).toList()))
                .replaceWithVoid();
    }

    /**
     * The producer keeps the event contract: each event is checked, as the exact JSON it will publish, against
     * the contract's schema before anything is stored, so no consumer ever receives an event it must refuse.
     * A violation names the request field it came from.
     */
    private static List<String> requireContract(List<ConsentEvent> events) {
        List<Problem.FieldError> errors = new ArrayList<>();
        List<String> payloads = new ArrayList<>(events.size());
        for (int k = 0; k < events.size(); k++) {
            EventSchemas.Checked checked = EventSchemas.check(Schemas.CONSENT_EVENT, events.get(k));
            payloads.add(checked.json());
            for (EventSchemas.Violation v : checked.violations()) {
                // the event's occurredAt is the request's evidence.occurredAt; the other fields keep their names
                String pointer = v.pointer().equals("/occurredAt") ? "/evidence/occurredAt" : v.pointer();
                errors.add(new Problem.FieldError("the consent event for '" + events.get(k).purpose()
                        + "' would break the event contract: " + v.message(), pointer));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(CommonProblem.VALIDATION, errors.size() == 1 ? errors.get(0).detail()
                    : errors.size() + " fields would break the event contract", errors);
        }
        return payloads;
    }

    private RecordView view(ConsentEvent e) {
        return new RecordView(e.eventId(), e.subjectSeq(), e.purpose(), e.action(), e.previousState(), e.state(),
                e.notice() == null ? null : e.notice().version(), e.notice() == null ? null : e.notice().language(),
                e.occurredAt(), e.recordedAt(), e.expiresAt(),
                config.consent().auditBaseUrl() + "/v1/receipts/" + e.eventId());
    }

    private static ConsentEvent.Actor actor(EvidenceRequest ev, Caller caller, String subjectId) {
        if (caller.isSubjectOnly()) {
            return new ConsentEvent.Actor(ActorType.SUBJECT, subjectId); // a person's own token speaks for itself
        }
        if (ev == null || ev.actor() == null || ev.actor().type() == null) {
            return new ConsentEvent.Actor(ActorType.SUBJECT, subjectId);
        }
        return new ConsentEvent.Actor(ev.actor().type(), ev.actor().id() != null ? ev.actor().id()
                : ev.actor().type() == ActorType.SUBJECT ? subjectId : caller.subject());
    }

    /** The notice in the evidence's language if published, else the only or first language published. */
    private static NoticeRow pickNotice(List<NoticeRow> notices, String purpose, String version, String language) {
        NoticeRow any = null;
        for (NoticeRow n : notices) {
            if (n.purpose().equals(purpose) && n.version().equals(version)) {
                if (n.language().equals(language)) {
                    return n;
                }
                if (any == null || n.language().compareTo(any.language()) < 0) {
                    any = n;
                }
            }
        }
        return any;
    }

    private static void checkIfMatch(String ifMatch, long seq) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        String current = etag(seq);
        for (String candidate : ifMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(current)) {
                return;
            }
        }
        throw new ProblemException(ConsentProblem.PRECONDITION_FAILED,
                "If-Match " + ifMatch + " does not match the subject's current ETag " + current);
    }

    public static String etag(long seq) {
        return "\"" + seq + "\"";
    }

    public static void validateSubjectId(String subjectId) {
        if (subjectId == null || !SUBJECT_ID.matcher(subjectId).matches()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/subjectId",
                    "subjectId must be 1-128 characters: letters, digits and . _ : @ + | -");
        }
    }

    private void validate(ConsentRequest r, Caller caller) {
        RequestErrors errors = new RequestErrors();
        if (r == null || r.changes() == null || r.changes().isEmpty()) {
            errors.require(false, "/changes", "at least one change is required").throwIfAny();
        }
        int max = config.consent().maxChangesPerRequest();
        if (r.changes().size() > max) {
            throw ProblemException.at(CommonProblem.TOO_MANY_ITEMS, "/changes",
                    r.changes().size() + " changes; at most " + max + " per request");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.changes().size(); i++) {
            Change c = r.changes().get(i);
            String at = "/changes/" + i;
            if (c == null) {
                errors.require(false, at, "is null");
                continue;
            }
            errors.requirePresent(c.purpose(), at + "/purpose")
                    .requireMatch(c.purpose(), PurposeService.KEY, at + "/purpose", "purpose key")
                    .requirePresent(c.action(), at + "/action")
                    .require(c.action() != ConsentAction.EXPIRE, at + "/action", "EXPIRE is applied by the system only")
                    .require(c.action() != ConsentAction.GRANT || c.noticeVersion() != null, at + "/noticeVersion",
                            "is required to GRANT: it proves what the person was shown")
                    .requireMaxLength(c.noticeVersion(), 40, at + "/noticeVersion")
                    .require(c.purpose() == null || seen.add(c.purpose()), at + "/purpose",
                            "purpose '" + c.purpose() + "' appears twice in one request");
        }
        EvidenceRequest ev = r.evidence();
        if (ev != null) {
            errors.requireMatch(ev.language(), PurposeService.LANGUAGE, "/evidence/language", "language tag")
                    .requireMaxLength(ev.userAgent(), 1024, "/evidence/userAgent")
                    .requireFieldValue(ev.userAgent(), "/evidence/userAgent")
                    .require(ev.ipAddress() == null || IpPrefix.of(ev.ipAddress()) != null, "/evidence/ipAddress",
                            "is not an IPv4 or IPv6 address")
                    .require(ev.ipAddress() == null || caller.roles().contains(Caller.APP), "/evidence/ipAddress",
                            "only an app relaying for a device may set it")
                    .require(ev.actor() == null || !caller.isSubjectOnly() || ev.actor().type() == null
                            || ev.actor().type() == ActorType.SUBJECT, "/evidence/actor/type",
                            "a subject token always acts as SUBJECT");
            if (ev.source() != null) {
                errors.requireMaxLength(ev.source().appId(), 100, "/evidence/source/appId")
                        .requireSingleLine(ev.source().appId(), "/evidence/source/appId")
                        .requireMaxLength(ev.source().platform(), 50, "/evidence/source/platform")
                        .requireSingleLine(ev.source().platform(), "/evidence/source/platform")
                        .requireMaxLength(ev.source().appVersion(), 50, "/evidence/source/appVersion")
                        .requireSingleLine(ev.source().appVersion(), "/evidence/source/appVersion")
                        .requireMaxLength(ev.source().collectionPoint(), 200, "/evidence/source/collectionPoint")
                        .requireSingleLine(ev.source().collectionPoint(), "/evidence/source/collectionPoint");
            }
            if (ev.actor() != null) {
                errors.requireMaxLength(ev.actor().id(), 200, "/evidence/actor/id")
                        .requireSingleLine(ev.actor().id(), "/evidence/actor/id");
            }
        }
        if (r.identifiers() != null) {
            identifiers.validate(r.identifiers(), "/identifiers", errors);
        }
        errors.throwIfAny();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    record PurposeRow(String key, Channel channel, LegalBasis legalBasis, PurposeCategory category, String validity,
                      boolean doubleOptIn, boolean active) {
    }

    record NoticeRow(String purpose, String version, String language, String sha256, String url, boolean material) {
    }

    record CurrentRow(ConsentState state, Instant expiresAt) {
        /** A grant past its validity reads as EXPIRED even before the expiry job has recorded it. */
        ConsentState effectiveState(Instant now) {
            return state == ConsentState.GRANTED && expiresAt != null && !expiresAt.isAfter(now) ? ConsentState.EXPIRED : state;
        }
    }

    /**
     * The same changes for several subjects (a change by contact identifier), all or nothing: the request and every
     * subject id are validated first, then ONE transaction locks and writes the subjects in sorted order (so two such
     * writes cannot deadlock each other); a refusal for any subject rolls back every subject's records and outbox
     * rows. Runs without Idempotency-Key and If-Match. Results come in sorted subject order.
     */
    public Uni<List<WriteResult>> writeAll(java.util.Collection<String> subjectIds, ConsentRequest request, WriteContext ctx) {
        Caller caller = ctx.caller();
        List<String> sorted = List.copyOf(new java.util.TreeSet<>(subjectIds));
        for (String subjectId : sorted) {
            validateSubjectId(subjectId);
            caller.requireAccessTo(subjectId);
        }
        validate(request, caller);
        WriteContext plain = new WriteContext(caller, null, null, ctx.remoteIp(), ctx.userAgent(), ctx.traceparent());
        return pool.withTransaction(conn -> {
            Uni<List<WriteResult>> chain = Uni.createFrom().item(() -> new ArrayList<WriteResult>());
            for (String subjectId : sorted) {
                chain = chain.flatMap(done -> writeInTransaction(conn, subjectId, request, plain, null, null)
                        .onFailure(ProblemException.class).transform(e -> {
                            ProblemException p = (ProblemException) e;
                            return new ProblemException(p.type(), "subject '" + subjectId + "': " + p.getMessage(),
                                    p.errors());
                        })
                        .map(result -> {
                            done.add(result);
                            return done;
                        }));
            }
            return chain;
        });
    }
}
