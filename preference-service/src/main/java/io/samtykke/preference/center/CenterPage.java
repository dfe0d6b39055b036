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
        List<Row> purposes,
        List<Row> topics,
        List<String> alwaysSent) {

    public record Labels(String purposes, String topics, String always, String alwaysNote, String withdraw,
                         String unsubscribe, String unsubscribeAll, String unsubscribeAllNote, String nothing) {
    }

    /**
     * One line of the page, as templates/choices.html shows it: a purpose (stoppable, by withdrawing, while it lets the
     * tenant contact the person) or a topic (stoppable, by unsubscribing, while followed).
     *
     * @param data       the value of the line's {@code data-state} (purposes) or {@code data-following} (topics)
     * @param stateClass the CSS classes of the state label
     */
    public record Row(String key, String name, String description, Object data, String stateClass, String stateLabel,
                      boolean stoppable) {
    }
}
