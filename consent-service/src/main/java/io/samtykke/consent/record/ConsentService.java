package io.samtykke.consent.record;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.idempotency.IdempotencyStore.StoredResponse;
import io.samtykke.consent.idempotency.IdempotencyStore;
import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.ConsentWriteResponse;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierRequest;
import io.samtykke.consent.record.ConsentApi.RecordView;
import io.samtykke.consent.record.ConsentPlanner.PlannedEvent;
import io.samtykke.consent.record.ConsentPlanner.SubjectState;
import io.samtykke.consent.confirmation.ConfirmationTokens;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The write path: validate, then in ONE transaction lock the subject, check If-Match, plan the events and store them
 * with the idempotent response. A retried Idempotency-Key is answered with the first response.
 */
@ApplicationScoped
public class ConsentService {

    /** The collection point of a confirmation: the person's click on the double opt-in link. */
    public static final String CONFIRMATION_COLLECTION_POINT = "double-opt-in";

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    ConsentConfig config;

    @Inject
    ConsentRequestValidator validator;

    @Inject
    ConsentStore store;

    @Inject
    IdempotencyStore idempotency;

    @Inject
    IdentifierStore identifiers;

    @Inject
    ObjectMapper json;

    @Inject
    ConfirmationTokens confirmationTokens;

    private ConsentPlanner planner;

    @PostConstruct
    void init() {
        planner = new ConsentPlanner(config.consent().maxClockSkew(), config.doubleOptIn().confirmationTtl());
    }

    /** A finished write: status, body and the subject's new ETag. */
    public record WriteResult(int status, ConsentWriteResponse body, String etag, boolean replayed) {
    }

    public Uni<WriteResult> write(String subjectId, ConsentRequest request, WriteContext ctx) {
        Caller caller = ctx.caller();
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        validator.validate(request, caller);
        if (ctx.idempotencyKey() == null) {
            return pool.withTransaction(conn -> writeInTransaction(conn, subjectId, request, ctx, null, null));
        }
        // hashed only for a retry-safe request: serializing the body again cost 4 % of a write's CPU (bench profile)
        String requestHash = idempotency.hash("POST /v1/subjects/" + subjectId + "/consents", request);
        String clientId = clientId(caller);
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
     * Attaches contact identifiers without a consent change, under the subject's row lock like a consent write and an
     * erasure: an erasure that committed first is seen (409 subject-erased), and one that starts later waits and then
     * deletes what was attached, so an erased person's address is never left behind (GDPR Art. 17).
     */
    public Uni<Void> attachIdentifiers(Caller caller, String subjectId, List<IdentifierRequest> list) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return pool.withTransaction(conn -> store.lockSubject(conn, caller.tenant(), subjectId, now)
                .flatMap(seq -> identifiers.attach(conn, caller.tenant(), subjectId, list, now, caller.isSubjectOnly())));
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

    /** A confirmed double opt-in: the record that granted it. */
    public record Confirmed(String purpose, RecordView record) {
    }

    /**
     * The person opened the confirmation link and pressed the button: with the token's row locked (a second click
     * waits, then finds it used), the CONFIRM is written as the person's own change with the click's IP prefix and
     * user agent and the proof in its evidence, and the token is marked used, in one transaction. Anything refused
     * (unknown, used, expired, superseded) changes nothing.
     */
    public Uni<Confirmed> confirm(String token, String remoteIp, String userAgent, String traceparent) {
        if (!ConfirmationTokens.wellFormed(token)) {
            return Uni.createFrom().failure(unknownConfirmation());
        }
        String hash = ConfirmationTokens.sha256(token);
        return pool.withTransaction(conn -> confirmationTokens.lock(conn, hash).flatMap(t -> {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            checkUsable(t, now);
            ConsentRequest request = new ConsentRequest(List.of(new Change(t.purpose(), ConsentAction.CONFIRM, t.noticeVersion())),
                    new EvidenceRequest(new ConsentApi.SourceRequest(null, null, null, CONFIRMATION_COLLECTION_POINT),
                            null, t.language(), null, null, null), null);
            WriteContext ctx = new WriteContext(new Caller(t.tenant(), t.subjectId(), Set.of(Caller.SUBJECT)), null, null,
                    remoteIp, userAgent, traceparent,
                    new WriteContext.ConfirmationProof(t.tokenId(), t.pendingEventId(), t.requestedAt()));
            return writeInTransaction(conn, t.subjectId(), request, ctx, null, null)
                    .call(w -> confirmationTokens.markUsed(conn, hash, now))
                    .map(w -> new Confirmed(t.purpose(), w.body().records().get(0)));
        }));
    }

    /**
     * What the confirmation page shows before the click, read without changing anything: the purpose, or the
     * problem a click would get.
     */
    public Uni<ConfirmationTokens.StoredToken> pendingConfirmation(String token) {
        if (!ConfirmationTokens.wellFormed(token)) {
            return Uni.createFrom().failure(unknownConfirmation());
        }
        return pool.withConnection(conn -> confirmationTokens.find(conn, ConfirmationTokens.sha256(token)))
                .map(t -> {
                    checkUsable(t, clock.instant());
                    return t;
                });
    }

    private static void checkUsable(ConfirmationTokens.StoredToken t, Instant now) {
        if (t == null) {
            throw unknownConfirmation();
        }
        if (t.usedAt() != null) {
            throw new ProblemException(ConsentProblem.CONFIRMATION_USED,
                    "this link confirmed '" + t.purpose() + "' at " + t.usedAt() + "; it works once");
        }
        if (!t.expiresAt().isAfter(now)) {
            throw new ProblemException(ConsentProblem.CONFIRMATION_EXPIRED,
                    "this link expired at " + t.expiresAt() + "; sign up again to get a new one");
        }
    }

    private static ProblemException unknownConfirmation() {
        return new ProblemException(ConsentProblem.UNKNOWN_CONFIRMATION, "no confirmation link has this token");
    }

    /**
     * The same changes for several subjects (a change by contact identifier), all or nothing: the request and every
     * subject id are validated first, then ONE transaction locks and writes the subjects in sorted order (so two such
     * writes cannot deadlock each other); a refusal for any subject rolls back every subject's records and outbox
     * rows. Runs without Idempotency-Key and If-Match. Results come in sorted subject order.
     */
    public Uni<List<WriteResult>> writeAll(Collection<String> subjectIds, ConsentRequest request, WriteContext ctx) {
        Caller caller = ctx.caller();
        List<String> sorted = List.copyOf(new TreeSet<>(subjectIds));
        for (String subjectId : sorted) {
            ConsentRequestValidator.validateSubjectId(subjectId);
            caller.requireAccessTo(subjectId);
        }
        validator.validate(request, caller);
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

    public static String etag(long seq) {
        return "\"" + seq + "\"";
    }

    private Uni<WriteResult> writeInTransaction(SqlConnection conn, String subjectId, ConsentRequest request,
                                                WriteContext ctx, String idempotencyKey, String requestHash) {
        Caller caller = ctx.caller();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return store.lockSubject(conn, caller.tenant(), subjectId, now)
                // holding the subject's row lock now: a request with the same key that ran meanwhile has committed,
                // so a retry sent while the first was still running gets the first's answer, not a 412 or 409
                .flatMap(seq -> (idempotencyKey == null ? Uni.createFrom().<WriteResult>nullItem()
                        : idempotency.find(conn, caller.tenant(), clientId(caller), idempotencyKey)
                        .map(stored -> stored == null ? null : replay(stored, requestHash)))
                        .onItem().ifNull().switchTo(() -> writeLocked(conn, subjectId, request, ctx, idempotencyKey,
                                requestHash, seq, now)));
    }

    /** The write itself, with the subject's row locked and its sequence number read. */
    private Uni<WriteResult> writeLocked(SqlConnection conn, String subjectId, ConsentRequest request, WriteContext ctx,
                                         String idempotencyKey, String requestHash, long seq, Instant now) {
        String tenant = ctx.caller().tenant();
        String[] keys = request.changes().stream().map(Change::purpose).toArray(String[]::new);
        checkIfMatch(ctx.ifMatch(), seq);
        return Uni.combine().all().unis(store.catalog(conn, tenant, keys),
                        store.currentConsents(conn, tenant, subjectId, keys)).asTuple()
                .flatMap(t -> {
                    List<PlannedEvent> planned = planner.plan(new SubjectState(tenant, subjectId, seq, t.getItem2()),
                            t.getItem1(), request, ctx, now);
                    if (planned.isEmpty()) {
                        // only system expiries that were no longer due (renewed or changed since they were picked)
                        return Uni.createFrom().item(new WriteResult(200,
                                new ConsentWriteResponse(subjectId, null, seq, List.of()), etag(seq), false));
                    }
                    List<ConsentEvent> events = planned.stream().map(PlannedEvent::event).toList();
                    long newSeq = seq + events.size();
                    ConsentWriteResponse response = new ConsentWriteResponse(subjectId,
                            events.get(0).requestId(), newSeq, events.stream().map(this::view).toList());
                    String etag = etag(newSeq);
                    return store.append(conn, planned, ctx.validTraceparent(), newSeq, now)
                            .flatMap(v -> confirmationTokens.issue(conn, events, ctx.validTraceparent()))
                            .flatMap(v -> request.identifiers() == null || request.identifiers().isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : identifiers.attach(conn, tenant, subjectId, request.identifiers(), now,
                                    ctx.caller().isSubjectOnly()))
                            .flatMap(v -> idempotencyKey == null
                                    ? Uni.createFrom().voidItem()
                                    : idempotency.store(conn, tenant, clientId(ctx.caller()), idempotencyKey, requestHash,
                                    201, response, etag, now))
                            .map(v -> new WriteResult(201, response, etag, false));
                });
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

    private RecordView view(ConsentEvent e) {
        return new RecordView(e.eventId(), e.subjectSeq(), e.purpose(), e.action(), e.previousState(), e.state(),
                e.notice() == null ? null : e.notice().version(), e.notice() == null ? null : e.notice().language(),
                e.occurredAt(), e.recordedAt(), e.expiresAt(),
                config.consent().auditBaseUrl() + "/v1/receipts/" + e.eventId());
    }

    /** Idempotency keys are scoped to the token's subject (the client). */
    private static String clientId(Caller caller) {
        return caller.subject() == null ? "" : caller.subject();
    }
}
