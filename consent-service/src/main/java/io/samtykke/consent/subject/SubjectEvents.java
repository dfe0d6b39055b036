package io.samtykke.consent.subject;

import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.IpPrefix;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The subject events one write appends for one person, numbered on from the person's subject-event sequence (read
 * under the subject's row lock), each checked against the contract's schema as the exact JSON it will publish, so no
 * consumer ever receives one it must refuse.
 */
final class SubjectEvents {

    /** One event and the JSON stored in the outbox. */
    record Planned(SubjectEvent event, String payload) {
    }

    private final String tenant;
    private final String subjectId;
    private final long seq;
    private final Instant now;
    private final ConsentEvent.Evidence evidence;
    private final List<Planned> planned = new ArrayList<>();

    SubjectEvents(String tenant, String subjectId, long seq, Instant now, ConsentEvent.Evidence evidence) {
        this.tenant = tenant;
        this.subjectId = subjectId;
        this.seq = seq;
        this.now = now;
        this.evidence = evidence;
    }

    /** Appends one event that happened at {@code occurredAt}; returns it. */
    SubjectEvent add(SubjectEventType change, SubjectEvent.Scope scope, SubjectEvent.Request request, String reason,
                     Instant occurredAt) {
        SubjectEvent e = new SubjectEvent(UUID.randomUUID(), tenant, subjectId, seq + planned.size() + 1, change, scope,
                request, reason, evidence, occurredAt, now);
        EventSchemas.Checked checked = EventSchemas.check(Schemas.SUBJECT_EVENT, e);
        if (!checked.violations().isEmpty()) {
            List<Problem.FieldError> errors = checked.violations().stream()
                    .map(v -> new Problem.FieldError("the " + change + " event would break the event contract: " + v.message(),
                            v.pointer()))
                    .toList();
            throw new ProblemException(CommonProblem.VALIDATION, errors.get(0).detail(), errors);
        }
        planned.add(new Planned(e, checked.json()));
        return e;
    }

    List<Planned> planned() {
        return planned;
    }

    long lastSeq() {
        return seq + planned.size();
    }

    String tenant() {
        return tenant;
    }

    String subjectId() {
        return subjectId;
    }

    /**
     * Who acted and how: a person's own token speaks for the person; an app relays the person's action with the
     * evidence it sends (source, actor, the device's IP and user agent); a DPO acts as an agent under their own id.
     */
    static ConsentEvent.Evidence evidence(Caller caller, String subjectId, EvidenceRequest ev, String remoteIp, String userAgent) {
        boolean relaying = caller.is(Caller.APP);
        String ip = relaying && ev != null && ev.ipAddress() != null ? ev.ipAddress() : remoteIp;
        String ua = relaying && ev != null && ev.userAgent() != null ? ev.userAgent() : userAgent;
        ConsentEvent.Actor actor;
        if (caller.isSubjectOnly()) {
            actor = new ConsentEvent.Actor(ActorType.SUBJECT, subjectId);
        } else if (relaying && ev != null && ev.actor() != null && ev.actor().type() != null) {
            actor = new ConsentEvent.Actor(ev.actor().type(), ev.actor().id() != null ? ev.actor().id()
                    : ev.actor().type() == ActorType.SUBJECT ? subjectId : caller.subject());
        } else if (relaying) {
            actor = new ConsentEvent.Actor(ActorType.SUBJECT, subjectId);
        } else {
            actor = new ConsentEvent.Actor(ActorType.AGENT, caller.subject());
        }
        ConsentEvent.Source source = ev == null || ev.source() == null ? null
                : new ConsentEvent.Source(ev.source().appId(), ev.source().platform(), ev.source().appVersion(),
                ev.source().collectionPoint());
        return new ConsentEvent.Evidence(source, actor, ev == null ? null : ev.language(), IpPrefix.of(ip),
                ua == null ? null : ua.length() <= 512 ? ua : ua.substring(0, 512));
    }
}
