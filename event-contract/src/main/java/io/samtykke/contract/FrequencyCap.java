package io.samtykke.contract;

import java.time.Duration;

/** At most {@code max} messages on one channel per {@code per}, e.g. 2 emails a week. Part of {@link Preferences}. */
public record FrequencyCap(Integer max, Period per) {

    /** A rolling window ending now: DAY = 24 hours, WEEK = 7 days, MONTH = 30 days. */
    public enum Period {
        DAY(1), WEEK(7), MONTH(30);

        private final int days;

        Period(int days) {
            this.days = days;
        }

        public Duration window() {
            return Duration.ofDays(days);
        }
    }
}
