package io.samtykke.consent.record;

import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
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
import io.samtykke.kit.security.Caller;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Decides what one write records: from the subject's current consents, the catalog and the request, at one
 * instant, the events to append (state machine, subject sequence numbers, expiry, evidence), each with the JSON it
 * will publish. Plain Java, no framework and no database; refusals are problems, and a refused plan writes nothing.
 */
public final class ConsentPlanner {

    private final Duration maxClockSkew;
    private final Duration confirmationTtl;
    private final Supplier<UUID> ids;

    /** {@code confirmationTtl}: how long a double opt-in waits for its confirmation before it expires. */
    public ConsentPlanner(Duration maxClockSkew, Duration confirmationTtl) {
        this(maxClockSkew, confirmationTtl, UUID::randomUUID);
    }

    /** {@code ids} gives the request id first, then one event id per event. */
    ConsentPlanner(Duration maxClockSkew, Duration confirmationTtl, Supplier<UUID> ids) {
        this.maxClockSkew = maxClockSkew;
        this.confirmationTtl = confirmationTtl;
        this.ids = ids;
    }

    /** The subject as locked for the write: its sequence number and the current consents of the purposes asked for. */
    public record SubjectState(String tenant, String subjectId, long seq, Map<String, CurrentConsent> consents) {
    }

    /**
     * The stored state of one subject × purpose and the record that set it. {@code expiresAt}: when a grant lapses, or
     * when an unconfirmed double opt-in does.
     */
    public record CurrentConsent(ConsentState state, Instant expiresAt, UUID eventId) {

        public CurrentConsent(ConsentState state, Instant expiresAt) {
            this(state, expiresAt, null);
        }

        /** A grant or pending double opt-in past its expiry reads as EXPIRED even before the expiry job has recorded it. */
        ConsentState effectiveState(Instant now) {
            return expires() && !expiresAt.isAfter(now) ? ConsentState.EXPIRED : state;
        }

        /** Whether this state lapses by itself, so that the system's EXPIRE applies to it. */
        boolean expires() {
            return (state == ConsentState.GRANTED || state == ConsentState.PENDING_CONFIRMATION) && expiresAt != null;
        }
    }

    /** What the tenant's catalog says about the purposes of a request. */
    public record Catalog(Map<String, PurposeFacts> purposes, List<PublishedNotice> notices) {

        /** The notice in the evidence's language if published, else the only or first language published. */
        PublishedNotice notice(String purpose, String version, String language) {
            PublishedNotice any = null;
            for (PublishedNotice n : notices) {
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
    }

    /** A purpose as the write needs it; {@code validity} is an ISO-8601 period or null. */
    public record PurposeFacts(String key, Channel channel, LegalBasis legalBasis, PurposeCategory category,
                               String validity, boolean doubleOptIn, boolean active) {
    }

    public record PublishedNotice(String purpose, String version, String language, String sha256, String url,
                                  boolean material) {
    }

    /** One event to append, with the contract-checked JSON the outbox publishes. */
    public record PlannedEvent(ConsentEvent event, String payload) {
    }

    /**
     * Applies the state machine to every change, all or nothing. An EXPIRE that is no longer due (the grant was renewed
     * or changed since the expiry job picked it) plans nothing, so the result may be empty.
     */
    public List<PlannedEvent> plan(SubjectState subject, Catalog catalog, ConsentRequest request, WriteContext ctx,
                                   Instant now) {
        UUID requestId = ids.get();
        EvidenceRequest ev = request.evidence();
        String language = ev == null ? null : ev.language();
        Instant occurredAt = ev == null || ev.occurredAt() == null ? now : ev.occurredAt();
        if (occurredAt.isAfter(now.plus(maxClockSkew))) {
            throw ProblemException.at(ConsentProblem.FUTURE_TIMESTAMP, "/evidence/occurredAt",
                    "occurredAt " + occurredAt + " is later than the server time " + now + " plus the allowed skew "
                            + maxClockSkew);
        }
        ConsentEvent.Evidence evidence = evidence(ev, ctx, subject.subjectId(), now);

        List<Problem.FieldError> errors = new ArrayList<>();
        List<ConsentEvent> events = new ArrayList<>();
        List<Change> changes = request.changes();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            String at = "/changes/" + i;
            PurposeFacts p = catalog.purposes().get(c.purpose());
            if (p == null) {
                throw ProblemException.at(ConsentProblem.UNKNOWN_PURPOSE, at + "/purpose",
                        "purpose '" + c.purpose() + "' does not exist in this tenant");
            }
            if (!p.active() && (c.action() == ConsentAction.GRANT || c.action() == ConsentAction.CONFIRM)) {
                // a purpose taken out of use takes no new consent; saying no to it (withdraw, deny, object) always works
                throw ProblemException.at(ConsentProblem.UNKNOWN_PURPOSE, at + "/purpose",
                        "purpose '" + c.purpose() + "' is not active in this tenant: it takes no new consent");
            }
            PublishedNotice notice = null;
            if (c.noticeVersion() != null) {
                notice = catalog.notice(c.purpose(), c.noticeVersion(), language);
                if (notice == null) {
                    throw ProblemException.at(ConsentProblem.UNKNOWN_NOTICE, at + "/noticeVersion",
                            "notice version '" + c.noticeVersion() + "' of '" + c.purpose() + "' is not published");
                }
            }
            CurrentConsent cur = subject.consents().get(c.purpose());
            if (c.action() == ConsentAction.EXPIRE && (cur == null || !cur.expires() || cur.expiresAt().isAfter(now))) {
                continue; // picked by the expiry job, but renewed, confirmed or changed since: nothing is due
            }
            if (c.action() == ConsentAction.CONFIRM) {
                requireConfirmationOf(cur, ctx.confirmation(), at, now);
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
            } else if (to == ConsentState.PENDING_CONFIRMATION) {
                expiresAt = now.plus(confirmationTtl); // the confirmation link's expiry
            }
            ConsentEvent.Notice n = notice == null ? null
                    : new ConsentEvent.Notice(notice.version(), notice.language(), notice.sha256(), notice.url(), notice.material());
            events.add(new ConsentEvent(ids.get(), subject.tenant(), subject.subjectId(),
                    subject.seq() + events.size() + 1, requestId, c.purpose(), p.channel(), p.category(),
                    p.legalBasis(), c.action(), from, to, n, evidence, occurredAt, now, expiresAt));
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(ConsentProblem.ILLEGAL_TRANSITION,
                    errors.size() == 1 ? errors.get(0).detail() : errors.size() + " changes are not allowed", errors);
        }
        return requireContract(events);
    }

    /**
     * A CONFIRM needs the person's checked confirmation token ({@link WriteContext#confirmation()}), and the consent must
     * still be the pending record that token was sent for: a newer grant, a denial or an expiry supersedes the link.
     */
    private static void requireConfirmationOf(CurrentConsent cur, WriteContext.ConfirmationProof proof, String at,
                                              Instant now) {
        if (proof == null) {
            throw ProblemException.at(ConsentProblem.CONFIRMATION_REQUIRED, at + "/action",
                    "CONFIRM is recorded only when the person opens the confirmation link sent to them "
                            + "(POST /v1/confirmations/{token}); a client cannot confirm for them");
        }
        if (cur == null || cur.state() != ConsentState.PENDING_CONFIRMATION || !proof.pendingEventId().equals(cur.eventId())
                || cur.effectiveState(now) != ConsentState.PENDING_CONFIRMATION) {
            throw ProblemException.at(ConsentProblem.CONFIRMATION_SUPERSEDED, at + "/action",
                    "the consent is " + (cur == null ? "not recorded" : cur.effectiveState(now))
                            + (cur != null && cur.state() == ConsentState.PENDING_CONFIRMATION
                            && !proof.pendingEventId().equals(cur.eventId()) ? " under a newer request" : "")
                            + ", not the pending request this link was sent for");
        }
    }

    /** Evidence of the request; an app relaying for a device may name the device's IP and user agent. */
    private static ConsentEvent.Evidence evidence(EvidenceRequest ev, WriteContext ctx, String subjectId, Instant now) {
        boolean relaying = ctx.caller().roles().contains(Caller.APP);
        String ip = relaying && ev != null && ev.ipAddress() != null ? ev.ipAddress() : ctx.remoteIp();
        String ua = relaying && ev != null && ev.userAgent() != null ? ev.userAgent() : ctx.userAgent();
        return new ConsentEvent.Evidence(
                ev == null || ev.source() == null ? new ConsentEvent.Source(null, null, null, null)
                        : new ConsentEvent.Source(ev.source().appId(), ev.source().platform(), ev.source().appVersion(),
                        ev.source().collectionPoint()),
                actor(ev, ctx.caller(), subjectId),
                ev == null ? null : ev.language(),
                IpPrefix.of(ip),
                ua == null ? null : truncate(ua, 512),
                ctx.confirmation() == null ? null : new ConsentEvent.Confirmation(ctx.confirmation().tokenId(),
                        ctx.confirmation().pendingEventId(), ctx.confirmation().requestedAt(), now));
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

    /**
     * The producer keeps the event contract: each event is checked, as the exact JSON it will publish, against
     * the contract's schema before anything is stored, so no consumer ever receives an event it must refuse.
     * A violation names the request field it came from.
     */
    private static List<PlannedEvent> requireContract(List<ConsentEvent> events) {
        List<Problem.FieldError> errors = new ArrayList<>();
        List<PlannedEvent> planned = new ArrayList<>(events.size());
        for (ConsentEvent event : events) {
            EventSchemas.Checked checked = EventSchemas.check(Schemas.CONSENT_EVENT, event);
            planned.add(new PlannedEvent(event, checked.json()));
            for (EventSchemas.Violation v : checked.violations()) {
                // the event's occurredAt is the request's evidence.occurredAt; the other fields keep their names
                String pointer = v.pointer().equals("/occurredAt") ? "/evidence/occurredAt" : v.pointer();
                errors.add(new Problem.FieldError("the consent event for '" + event.purpose()
                        + "' would break the event contract: " + v.message(), pointer));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(CommonProblem.VALIDATION, errors.size() == 1 ? errors.get(0).detail()
                    : errors.size() + " fields would break the event contract", errors);
        }
        return planned;
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
