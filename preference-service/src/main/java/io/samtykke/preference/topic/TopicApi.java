package io.samtykke.preference.topic;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Request and response bodies of the topic catalog. */
public final class TopicApi {

    private TopicApi() {
    }

    @Schema(description = "A topic people may follow, sent under one consent purpose", example = """
            {"names": {"da": "Køretilbud", "en": "Ride offers"},
             "descriptions": {"da": "Tilbud på ture i dit område", "en": "Offers on rides near you"},
             "purpose": "newsletter", "active": true}""")
    public record TopicRequest(
            @Schema(description = "Display name per language (BCP 47 primary tag), shown on the preference center")
            Map<String, String> names,
            Map<String, String> descriptions,
            @Schema(description = "Key of the consent purpose messages on this topic are sent under (consent-service's catalog)")
            String purpose,
            @Schema(description = "Inactive topics are hidden from the preference center and refused in new preferences; default true")
            Boolean active) {
    }

    public record TopicView(
            String key,
            Map<String, String> names,
            Map<String, String> descriptions,
            String purpose,
            boolean active,
            Instant createdAt,
            Instant updatedAt) {
    }

    public record TopicList(List<TopicView> topics) {
    }
}
