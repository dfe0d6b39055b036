package io.samtykke.consent.subject;

import io.samtykke.consent.record.ConsentRequestValidator;
import io.samtykke.consent.subject.SubjectStatusApi.Objection;
import io.samtykke.consent.subject.SubjectStatusApi.ObjectionRequest;
import io.samtykke.consent.subject.SubjectStatusApi.Restriction;
import io.samtykke.consent.subject.SubjectStatusApi.RestrictionChange;
import io.samtykke.consent.subject.SubjectStatusApi.SubjectStatus;
import io.samtykke.consent.subject.SubjectRequestService.Origin;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What holds for a person as a whole: the objection to all direct marketing (Art. 21(2)-(3); it takes effect at once,
 * no one weighs it) and the restriction of processing to storage (Art. 18). Each change is ONE transaction: the
 * subject row's flag and the subject event in the outbox. Asking for what already holds changes nothing.
 */
@ApplicationScoped
public class SubjectStatusService {

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    SubjectStore store;

    /** A change and whether it wrote anything (201 for a new objection, 200 when it stood already). */
    public record Result(SubjectStatus status, boolean changed) {
    }

    public Uni<SubjectStatus> read(String subjectId, Caller caller) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        return store.read(pool, caller.tenant(), subjectId).map(row -> status(subjectId, row.objectedAt(),
                row.restrictedAt(), row.restrictionReason()));
    }

    public Uni<Result> object(String subjectId, ObjectionRequest body, Origin ctx) {
        Caller caller = ctx.caller();
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        if (caller.is(Caller.APP) && (body == null || body.evidence() == null || body.evidence().source() == null)) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/evidence/source",
                    "an app relays the person's objection with its evidence: where it was made (source)");
        }
        Instant now = now();
        Instant occurredAt = body == null || body.evidence() == null || body.evidence().occurredAt() == null ? now
                : body.evidence().occurredAt();
        if (occurredAt.isAfter(now.plusSeconds(300))) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/evidence/occurredAt", "is later than the server time " + now);
        }
        String tenant = caller.tenant();
        return pool.withTransaction(conn -> store.lock(conn, tenant, subjectId, now).flatMap(row -> {
            if (row.objectedAt() != null) {
                return Uni.createFrom().item(new Result(status(subjectId, row.objectedAt(), row.restrictedAt(),
                        row.restrictionReason()), false));
            }
            SubjectEvents events = new SubjectEvents(tenant, subjectId, row.eventSeq(), now, SubjectEvents.evidence(caller,
                    subjectId, body == null ? null : body.evidence(), ctx.remoteIp(), ctx.userAgent()));
            events.add(SubjectEventType.OBJECTED, SubjectEvent.Scope.DIRECT_MARKETING, null, null, occurredAt);
            return store.setObjection(conn, tenant, subjectId, now, now)
                    .flatMap(v -> store.append(conn, events, ctx.traceparent(), now))
                    .map(v -> new Result(status(subjectId, now, row.restrictedAt(), row.restrictionReason()), true));
        }));
    }

    /** The person withdraws the objection; refused (404) when none stands. */
    public Uni<SubjectStatus> withdrawObjection(String subjectId, Origin ctx) {
        Caller caller = ctx.caller();
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        Instant now = now();
        String tenant = caller.tenant();
        return pool.withTransaction(conn -> store.lock(conn, tenant, subjectId, now).flatMap(row -> {
            if (row.objectedAt() == null) {
                throw new ProblemException(CommonProblem.NOT_FOUND, "'" + subjectId + "' has no objection to withdraw");
            }
            SubjectEvents events = new SubjectEvents(tenant, subjectId, row.eventSeq(), now,
                    SubjectEvents.evidence(caller, subjectId, null, ctx.remoteIp(), ctx.userAgent()));
            events.add(SubjectEventType.OBJECTION_WITHDRAWN, SubjectEvent.Scope.DIRECT_MARKETING, null, null, now);
            return store.setObjection(conn, tenant, subjectId, null, now)
                    .flatMap(v -> store.append(conn, events, ctx.traceparent(), now))
                    .map(v -> status(subjectId, null, row.restrictedAt(), row.restrictionReason()));
        }));
    }

    /** Restricts processing to storage, or lifts the restriction, with a reason. */
    public Uni<Result> restrict(String subjectId, RestrictionChange body, Origin ctx) {
        Caller caller = ctx.caller();
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        if (body == null || body.restricted() == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/restricted", "true to restrict, false to lift the restriction");
        }
        String reason = text(body.reason(), "/reason", true);
        Instant now = now();
        String tenant = caller.tenant();
        return pool.withTransaction(conn -> store.lock(conn, tenant, subjectId, now).flatMap(row -> {
            boolean restricted = row.restrictedAt() != null;
            if (restricted == body.restricted()) {
                return Uni.createFrom().item(new Result(status(subjectId, row.objectedAt(), row.restrictedAt(),
                        row.restrictionReason()), false));
            }
            SubjectEvents events = new SubjectEvents(tenant, subjectId, row.eventSeq(), now,
                    SubjectEvents.evidence(caller, subjectId, null, ctx.remoteIp(), ctx.userAgent()));
            events.add(body.restricted() ? SubjectEventType.RESTRICTED : SubjectEventType.RESTRICTION_LIFTED, null, null,
                    reason, now);
            Instant since = body.restricted() ? now : null;
            return store.setRestriction(conn, tenant, subjectId, since, body.restricted() ? reason : null, now)
                    .flatMap(v -> store.append(conn, events, ctx.traceparent(), now))
                    .map(v -> new Result(status(subjectId, row.objectedAt(), since, body.restricted() ? reason : null), true));
        }));
    }

    static SubjectStatus status(String subjectId, Instant objectedAt, Instant restrictedAt, String restrictionReason) {
        return new SubjectStatus(subjectId,
                objectedAt == null ? null : new Objection(SubjectEvent.Scope.DIRECT_MARKETING, objectedAt),
                restrictedAt == null ? null : new Restriction(restrictedAt, restrictionReason));
    }

    /**
     * A free text of a request (details, reasons): at most 2000 characters, tab and line breaks the only control
     * characters; null when absent, refused when {@code required} and absent or blank.
     */
    static String text(String value, String pointer, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw ProblemException.at(CommonProblem.VALIDATION, pointer, "a reason is required");
            }
            return null;
        }
        if (value.length() > SubjectRequestService.MAX_TEXT) {
            throw ProblemException.at(CommonProblem.VALIDATION, pointer, "is longer than " + SubjectRequestService.MAX_TEXT
                    + " characters");
        }
        if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r')) {
            throw ProblemException.at(CommonProblem.VALIDATION, pointer, "holds a control character");
        }
        return value;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
