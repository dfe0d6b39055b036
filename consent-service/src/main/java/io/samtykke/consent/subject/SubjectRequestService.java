package io.samtykke.consent.subject;

import io.samtykke.consent.record.ConsentRequestValidator;
import io.samtykke.consent.subject.SubjectRequestApi.Extension;
import io.samtykke.consent.subject.SubjectRequestApi.NewRequest;
import io.samtykke.consent.subject.SubjectRequestApi.RequestView;
import io.samtykke.consent.subject.SubjectRequestApi.StatusChange;
import io.samtykke.consent.subject.SubjectStore.RequestFilter;
import io.samtykke.consent.subject.SubjectStore.RequestRow;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
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
import java.util.List;
import java.util.UUID;

/**
 * Data subject requests, one resource for every right: received (due one calendar month later), worked on, extended
 * once, completed or rejected. Every step is written in ONE transaction with its subject event in the outbox (so it
 * reaches Kafka and the audit log); completing a RESTRICTION request also restricts the person's processing, and
 * completing an ERASURE request erases the person (GDPR Art. 17): the request's completion is followed by
 * {@code io.samtykke.subject.erased.v1}, the last event about the subject id, and the subject id is closed for good.
 */
@ApplicationScoped
public class SubjectRequestService {

    static final int MAX_TEXT = 2000;

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    SubjectStore store;

    @Inject
    ExportService exports;

    /** Who calls, and from where: what the events' evidence records. */
    public record Origin(Caller caller, String remoteIp, String userAgent, String traceparent) {
    }

    public Uni<RequestView> create(String subjectId, NewRequest body, Origin ctx) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        ctx.caller().requireAccessTo(subjectId);
        if (body == null || body.type() == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/type", "the right the request exercises is required: one of "
                    + List.of(SubjectRequestType.values()));
        }
        String details = SubjectStatusService.text(body.details(), "/details", false);
        String tenant = ctx.caller().tenant();
        Instant now = now();
        RequestRow row = new RequestRow(UUID.randomUUID(), subjectId, body.type(), SubjectRequestStatus.RECEIVED, details,
                now, DueDates.due(now, 0), null, null, null, null, now);
        return pool.withTransaction(conn -> store.lock(conn, tenant, subjectId, now).flatMap(subject -> {
            SubjectEvents events = new SubjectEvents(tenant, subjectId, subject.eventSeq(), now,
                    SubjectEvents.evidence(ctx.caller(), subjectId, null, ctx.remoteIp(), ctx.userAgent()));
            events.add(SubjectEventType.REQUEST_RECEIVED, null, contract(row), null, now);
            return store.insertRequest(conn, tenant, row)
                    .flatMap(v -> store.append(conn, events, ctx.traceparent(), now));
        })).map(v -> view(row, now));
    }

    /** One request; a person sees only their own (another's is not found). */
    public Uni<RequestView> get(UUID id, Caller caller) {
        return store.find(pool, caller.tenant(), id).map(r -> {
            if (r == null || caller.isSubjectOnly() && !r.subjectId().equals(caller.subject())) {
                throw new ProblemException(CommonProblem.NOT_FOUND, "no request " + id + " in this tenant");
            }
            return view(r, now());
        });
    }

    public Uni<List<RequestView>> list(Caller caller, RequestFilter filter, int limit) {
        Instant now = now();
        return store.list(pool, caller.tenant(), filter, limit).map(rows -> rows.stream().map(r -> view(r, now)).toList());
    }

    public Uni<List<RequestView>> listOf(String subjectId, Caller caller, int limit) {
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        return list(caller, new RequestFilter(null, null, null, subjectId, false), limit);
    }

    /** Moves a request on: IN_PROGRESS, or closed as COMPLETED or REJECTED with a reason. */
    public Uni<RequestView> changeStatus(UUID id, StatusChange body, Origin ctx) {
        if (body == null || body.status() == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/status", "the new status is required: IN_PROGRESS, COMPLETED or REJECTED");
        }
        boolean closing = !body.status().isOpen();
        String reason = SubjectStatusService.text(body.reason(), "/reason", closing);
        return step(id, ctx, (request, events, now) -> {
            RequestSteps.requireStatusChange(request.status(), body.status());
            RequestRow next = new RequestRow(request.id(), request.subjectId(), request.type(), body.status(),
                    request.details(), request.receivedAt(), request.dueAt(), request.extendedMonths(),
                    request.extensionReason(), closing ? reason : null, closing ? now : null, now);
            SubjectEventType change = switch (body.status()) {
                case IN_PROGRESS -> SubjectEventType.REQUEST_STARTED;
                case COMPLETED -> SubjectEventType.REQUEST_COMPLETED;
                default -> SubjectEventType.REQUEST_REJECTED;
            };
            return new Step(next, change, reason);
        });
    }

    /** Extends the due date by one or two months, once, within the first month, with a reason. */
    public Uni<RequestView> extend(UUID id, Extension body, Origin ctx) {
        if (body == null || body.months() == null || body.months() < 1 || body.months() > DueDates.MAX_EXTENSION_MONTHS) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/months", "an extension is 1 or 2 months (GDPR Art. 12(3))");
        }
        String reason = SubjectStatusService.text(body.reason(), "/reason", true);
        return step(id, ctx, (request, events, now) -> {
            RequestSteps.requireExtension(request.status(), request.extendedMonths(), request.receivedAt(), now);
            RequestRow next = new RequestRow(request.id(), request.subjectId(), request.type(), SubjectRequestStatus.EXTENDED,
                    request.details(), request.receivedAt(), DueDates.due(request.receivedAt(), body.months()),
                    body.months(), reason, null, null, now);
            return new Step(next, SubjectEventType.REQUEST_EXTENDED, reason);
        });
    }

    /** What one step makes of a request, and its event. */
    private record Step(RequestRow next, SubjectEventType change, String reason) {
    }

    private interface Planner {
        Step plan(RequestRow request, SubjectEvents events, Instant now);
    }

    /** One step in ONE transaction: the person's row locked, the request read under it, its event (and effects) appended. */
    private Uni<RequestView> step(UUID id, Origin ctx, Planner planner) {
        String tenant = ctx.caller().tenant();
        Instant now = now();
        return store.find(pool, tenant, id).flatMap(found -> {
            if (found == null) {
                throw new ProblemException(CommonProblem.NOT_FOUND, "no request " + id + " in this tenant");
            }
            if (found.subjectId().startsWith(SubjectStore.ERASED_PREFIX)) {
                throw new ProblemException(ConsentProblem.SUBJECT_ERASED, "the person of request " + id
                        + " was erased; their requests take no more steps");
            }
            return pool.withTransaction(conn -> store.lock(conn, tenant, found.subjectId(), now)
                    .flatMap(subject -> store.find(conn, tenant, id).flatMap(request -> {
                        SubjectEvents events = new SubjectEvents(tenant, request.subjectId(), subject.eventSeq(), now,
                                SubjectEvents.evidence(ctx.caller(), request.subjectId(), null, ctx.remoteIp(), ctx.userAgent()));
                        Step step = planner.plan(request, events, now);
                        boolean restricts = step.change() == SubjectEventType.REQUEST_COMPLETED
                                && request.type() == SubjectRequestType.RESTRICTION && subject.restrictedAt() == null;
                        Uni<Void> effect = Uni.createFrom().voidItem();
                        if (restricts) {
                            // the restriction is what completing the request does: its event comes first
                            events.add(SubjectEventType.RESTRICTED, null, contract(step.next()), step.reason(), now);
                            effect = store.setRestriction(conn, tenant, request.subjectId(), now, step.reason(), now);
                        }
                        events.add(step.change(), null, contract(step.next()), step.reason(), now);
                        if (step.change() == SubjectEventType.REQUEST_STARTED && ExportService.isExported(request.type())) {
                            // the other services answer with their parts of the person's export (Art. 15/20)
                            events.add(SubjectEventType.EXPORT_REQUESTED, null, contract(step.next()), null, now);
                            effect = effect.flatMap(v -> exports.requested(conn, tenant, step.next(), now));
                        }
                        boolean erases = step.change() == SubjectEventType.REQUEST_COMPLETED
                                && request.type() == SubjectRequestType.ERASURE;
                        if (erases) {
                            // erasure is what completing the request does: its event is the last about the person
                            events.add(SubjectEventType.ERASED, null, contract(step.next()), step.reason(), now);
                        }
                        return effect.flatMap(v -> store.updateRequest(conn, tenant, step.next()))
                                .flatMap(v -> store.append(conn, events, ctx.traceparent(), now))
                                .flatMap(v -> erases ? store.erase(conn, tenant, request.subjectId(), now)
                                        : Uni.createFrom().voidItem())
                                .map(v -> view(step.next(), now));
                    })));
        });
    }

    /**
     * The tenant's inactivity retention (e.g. Mileage Book: "FREE accounts are deleted after 12 months of inactivity"):
     * opens and completes an ERASURE request for the person, as the system, and erases them, in ONE transaction; only
     * when the person's row still shows no consent activity since {@code before} under its lock, so instances running
     * the same round, or a person acting meanwhile, never cause a second or a wrong erasure. True when erased.
     */
    public Uni<Boolean> eraseInactive(String tenant, String subjectId, Instant before, String reason) {
        Instant now = now();
        return pool.withTransaction(conn -> store.lockIfInactive(conn, tenant, subjectId, before).flatMap(subject -> {
            if (subject == null) {
                return Uni.createFrom().item(false);
            }
            RequestRow received = new RequestRow(UUID.randomUUID(), subjectId, SubjectRequestType.ERASURE,
                    SubjectRequestStatus.RECEIVED, null, now, DueDates.due(now, 0), null, null, null, null, now);
            RequestRow completed = new RequestRow(received.id(), subjectId, SubjectRequestType.ERASURE,
                    SubjectRequestStatus.COMPLETED, null, now, received.dueAt(), null, null, reason, now, now);
            SubjectEvents events = new SubjectEvents(tenant, subjectId, subject.eventSeq(), now, new ConsentEvent.Evidence(
                    null, new ConsentEvent.Actor(ActorType.SYSTEM, "inactivity-retention"), null, null, null));
            events.add(SubjectEventType.REQUEST_RECEIVED, null, contract(received), null, now);
            events.add(SubjectEventType.REQUEST_COMPLETED, null, contract(completed), reason, now);
            events.add(SubjectEventType.ERASED, null, contract(completed), reason, now);
            return store.insertRequest(conn, tenant, received)
                    .flatMap(v -> store.updateRequest(conn, tenant, completed))
                    .flatMap(v -> store.append(conn, events, null, now))
                    .flatMap(v -> store.erase(conn, tenant, subjectId, now))
                    .replaceWith(true);
        }));
    }

    /** Subjects of the tenant without consent activity since {@code before}, for the inactivity retention. */
    public Uni<List<String>> inactiveSubjects(String tenant, Instant before, int limit) {
        return store.inactive(pool, tenant, before, limit);
    }

    private static SubjectEvent.Request contract(RequestRow r) {
        return new SubjectEvent.Request(r.id(), r.type(), r.status(), r.receivedAt(), r.dueAt(), r.extendedMonths());
    }

    static RequestView view(RequestRow r, Instant now) {
        return new RequestView(r.id(), r.subjectId(), r.type(), r.status(), r.details(), r.receivedAt(), r.dueAt(),
                r.extendedMonths(), r.extensionReason(), r.closingReason(), r.closedAt(), r.updatedAt(),
                r.status().isOpen() && now.isAfter(r.dueAt()));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
