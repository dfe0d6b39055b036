package io.samtykke.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * Payload of every event on {@link Topics#SUBJECT_EVENTS}: something that concerns a person as a whole rather than one
 * purpose (objection to all direct marketing, restriction) and every step of a data subject request. An objection is
 * also published on {@link Topics#CONSENT_OPTOUTS}. JSON Schema: {@code schemas/subject-event.v1.json}.
 *
 * @param eventId    the CloudEvents id; consumers dedupe on it
 * @param subjectSeq per tenant × subject, dense from 1, numbered apart from the consent events' subjectSeq (each topic
 *                   keeps its own dense sequence); equals {@code ce_subjectseq}
 * @param change     what happened; decides {@code ce_type}
 * @param scope      what an objection covers; present on OBJECTED and OBJECTION_WITHDRAWN only
 * @param request    the data subject request this step belongs to (or that caused a restriction); else null
 * @param reason     why: the reason of an extension, completion, rejection, restriction or lifting; else null
 * @param occurredAt when the person (or the controller) acted; equals {@code ce_time}
 * @param recordedAt when consent-service stored the event
 */
public record SubjectEvent(
        UUID eventId,
        String tenantId,
        String subjectId,
        long subjectSeq,
        SubjectEventType change,
        Scope scope,
        Request request,
        String reason,
        ConsentEvent.Evidence evidence,
        Instant occurredAt,
        Instant recordedAt) implements PersonEvent {

    /** What an objection covers. */
    public enum Scope {
        /** Every purpose of category MARKETING of the tenant, present and future, on every channel (Art. 21(2)-(3)). */
        DIRECT_MARKETING
    }

    /**
     * A data subject request as it stands after this step.
     *
     * @param dueAt           receivedAt plus one calendar month, or later after an extension (Art. 12(3))
     * @param extendedMonths  the extension granted (1 or 2), absent when none
     */
    public record Request(UUID requestId, SubjectRequestType type, SubjectRequestStatus status, Instant receivedAt,
                          Instant dueAt, Integer extendedMonths) {
    }
}
