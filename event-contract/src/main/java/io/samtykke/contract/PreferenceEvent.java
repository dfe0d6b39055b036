package io.samtykke.contract;

import java.time.Instant;
import java.util.UUID;

/**
 * Payload of {@value #TYPE} on {@link Topics#PREFERENCE_EVENTS}: a subject's whole preferences after a
 * change. JSON Schema: {@code schemas/preference-event.v1.json}.
 *
 * @param eventId   the CloudEvents id; consumers dedupe on it
 * @param version   the preferences' version, 1 for the first change; also the event's {@code subjectseq}
 * @param updatedAt when the change was stored; also {@code ce_time}
 */
public record PreferenceEvent(
        UUID eventId,
        String tenantId,
        String subjectId,
        long version,
        Preferences preferences,
        Instant updatedAt) implements PersonEvent {

    /** CloudEvents {@code type} of every record on {@link Topics#PREFERENCE_EVENTS}. */
    public static final String TYPE = "io.samtykke.preference.updated.v1";
}
