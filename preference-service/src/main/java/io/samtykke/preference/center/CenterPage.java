package io.samtykke.preference.center;

import java.util.List;

/** What the preference center page shows, already in the person's language. Rendered by templates/preference-center.html. */
public record CenterPage(
        String lang,
        String title,
        String intro,
        String token,
        String notice,
        String error,
        Labels labels,
        List<PurposeRow> purposes,
        List<TopicRow> topics,
        List<String> alwaysSent) {

    public record Labels(String purposes, String topics, String always, String alwaysNote, String withdraw,
                         String unsubscribe, String unsubscribeAll, String unsubscribeAllNote, String nothing) {
    }

    /** One purpose: withdrawable while it lets the tenant contact the person. */
    public record PurposeRow(String key, String name, String description, String state, String stateLabel,
                             boolean withdrawable) {
    }

    public record TopicRow(String key, String name, String description, boolean following, String stateLabel) {
    }
}
