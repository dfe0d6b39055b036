package io.samtykke.preference.preference;

import io.samtykke.contract.Channel;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What one person wants to hear about, how often, when not, and how. The body of GET and PUT. */
@Schema(description = "A subject's preferences, replaced as a whole by PUT", example = """
        {"topics": ["ride-offers", "product-updates"],
         "frequencyCaps": {"EMAIL": {"max": 2, "per": "WEEK"}, "SMS": {"max": 1, "per": "MONTH"}},
         "quietHours": {"start": "22:00", "end": "07:00"},
         "timeZone": "Europe/Copenhagen",
         "language": "da",
         "preferredChannel": "PUSH"}""")
public record Preferences(
        @Schema(description = "Topic keys the subject subscribes to")
        List<String> topics,
        @Schema(description = "Per contact channel: at most max messages per DAY, WEEK or MONTH")
        Map<Channel, FrequencyCap> frequencyCaps,
        @Schema(description = "No messages between start and end (HH:mm in timeZone); needs timeZone")
        QuietHours quietHours,
        @Schema(description = "IANA time zone, e.g. Europe/Copenhagen")
        String timeZone,
        @Schema(description = "BCP 47 language tag, e.g. da or sv-SE")
        String language,
        @Schema(description = "The contact channel the subject prefers")
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
}
