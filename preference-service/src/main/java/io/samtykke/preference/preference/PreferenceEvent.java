package io.samtykke.preference.preference;

import java.time.Instant;
import java.util.UUID;

/**
 * Payload of {@value #TYPE} on {@code samtykke.preference.events.v1}: a subject's whole preferences
 * after a change. {@code version} is also the event's {@code subjectseq}.
 */
public record PreferenceEvent(
        UUID eventId,
        String tenantId,
        String subjectId,
        long version,
        Preferences preferences,
        Instant updatedAt) {

    public static final String TYPE = "io.samtykke.preference.updated.v1";
}
