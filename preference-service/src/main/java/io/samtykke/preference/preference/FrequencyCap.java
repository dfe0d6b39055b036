package io.samtykke.preference.preference;

/** At most {@code max} messages on one channel per {@code per}, e.g. 2 emails a week. */
public record FrequencyCap(Integer max, Period per) {

    public enum Period {
        DAY, WEEK, MONTH
    }
}
