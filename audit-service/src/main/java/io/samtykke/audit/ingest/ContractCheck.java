package io.samtykke.audit.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.samtykke.audit.ingest.ReceivedEvent.NotAnEvent;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.Schemas;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The event contract as the log enforces it: a payload must validate against the JSON Schema the
 * contract publishes for its topic, and a consent event's headers and key must say what its payload
 * says. A record that fails is not evidence of anything; it goes to the dead-letter topic instead.
 */
final class ContractCheck {

    private static final int MAX_REPORTED = 5;

    private ContractCheck() {
    }

    /**
     * True when {@code e} is a consent event (and keeps the contract); false for any other event that keeps it (a subject
     * event is checked as one, on its own topic and as an objection on the opt-outs topic); throws when it breaks the contract.
     */
    static boolean isConsentEvent(ReceivedEvent e) throws NotAnEvent {
        String schema = Schemas.forRecord(e.topic(), e.type());
        if (schema != null) {
            List<EventSchemas.Violation> errors = EventSchemas.validate(schema, e.json());
            if (!errors.isEmpty()) {
                throw new NotAnEvent("the payload does not match " + schema + ": " + errors.stream().limit(MAX_REPORTED)
                        .map(EventSchemas.Violation::message).toList());
            }
        }
        if (SubjectEventType.isSubjectType(e.type()) && Schemas.SUBJECT_EVENT.equals(schema)) {
            checkSubjectEvent(e);
            return false;
        }
        if (!Topics.CONSENT_EVENTS.equals(e.topic()) && !Topics.CONSENT_OPTOUTS.equals(e.topic())) {
            return false;
        }
        ConsentEventType type = ConsentEventType.find(e.type())
                .orElseThrow(() -> new NotAnEvent("ce_type " + e.type() + " is not a consent event type"));
        JsonNode p = e.json();
        List<String> mismatches = personMismatches(e);
        same(mismatches, "ce_subject", e.purpose(), p.path("purpose").asText(null));
        same(mismatches, "the state of ce_type", type.state().name(), stateOf(p));
        throwIfAny(mismatches);
        return true;
    }

    /** A subject event (objection, restriction, request step): its headers and key must say what its payload says. */
    private static void checkSubjectEvent(ReceivedEvent e) throws NotAnEvent {
        SubjectEventType type = SubjectEventType.find(e.type())
                .orElseThrow(() -> new NotAnEvent("ce_type " + e.type() + " is not a subject event type"));
        List<String> mismatches = personMismatches(e);
        same(mismatches, "the change of ce_type", type.name(), e.json().path("change").asText(null));
        throwIfAny(mismatches);
    }

    /** Where the event id, tenant and subject of the headers and key differ from the payload's (every event of a person). */
    private static List<String> personMismatches(ReceivedEvent e) {
        JsonNode p = e.json();
        List<String> mismatches = new ArrayList<>();
        same(mismatches, "ce_id", e.eventId().toString(), p.path("eventId").asText(null));
        same(mismatches, "ce_tenantid", e.tenantId(), p.path("tenantId").asText(null));
        same(mismatches, "the record key's subject", e.subjectId(), p.path("subjectId").asText(null));
        return mismatches;
    }

    private static void throwIfAny(List<String> mismatches) throws NotAnEvent {
        if (!mismatches.isEmpty()) {
            throw new NotAnEvent("the headers and key disagree with the payload: " + String.join("; ", mismatches));
        }
    }

    private static String stateOf(JsonNode payload) {
        String state = payload.path("state").asText(null);
        try {
            return state == null ? null : ConsentState.valueOf(state).name();
        } catch (IllegalArgumentException e) {
            return state;
        }
    }

    private static void same(List<String> mismatches, String what, String header, String payload) {
        if (!Objects.equals(header, payload)) {
            mismatches.add(what + " is " + header + " but the payload says " + payload);
        }
    }
}
