package io.samtykke.contract;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What one person wants to hear about, how often, when not, and how: the preferences part of
 * {@link PreferenceEvent}, and the body of preference-service's GET and PUT.
 *
 * @param topics           topic keys from the tenant's topic catalog the subject follows
 * @param frequencyCaps    per contact channel: at most {@code max} messages per DAY, WEEK or MONTH
 * @param quietHours       no messages between start and end, local times of {@code timeZone}
 * @param timeZone         IANA time zone, e.g. Europe/Copenhagen
 * @param language         BCP 47 language tag, e.g. da or sv-SE
 * @param preferredChannel the contact channel the subject prefers
 */
public record Preferences(
        List<String> topics,
        Map<Channel, FrequencyCap> frequencyCaps,
        QuietHours quietHours,
        String timeZone,
        String language,
        Channel preferredChannel) {

    /** What a subject has before storing anything: no topics, no caps, nothing else set. */
    public static final Preferences NONE = new Preferences(List.of(), Map.of(), null, null, null, null);

    /** Absent lists and maps as empty ones, caps in channel order: the stored form. Call after validation. */
    public Preferences normalized() {
        Map<Channel, FrequencyCap> caps = new EnumMap<>(Channel.class);
        if (frequencyCaps != null) {
            caps.putAll(frequencyCaps);
        }
        return new Preferences(topics == null ? List.of() : List.copyOf(topics), caps, quietHours, timeZone, language,
                preferredChannel);
    }

    /** The same preferences following {@code newTopics} instead. */
    public Preferences withTopics(List<String> newTopics) {
        return new Preferences(newTopics, frequencyCaps, quietHours, timeZone, language, preferredChannel);
    }
}
