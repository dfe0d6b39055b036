package io.samtykke.system;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;

/**
 * Quiet hours for a scenario that expects a decision to ALLOW now: eight hours from the full hour three hours ahead in
 * {@link #ZONE}, so now is outside them whatever the time of day the tests run (a fixed 22:00-07:00 denied every
 * decision of a night-time CI run with reason QUIET_HOURS).
 */
record QuietWindow(String start, String end) {

    static final String ZONE = "Europe/Copenhagen";

    static QuietWindow awayFromNow() {
        LocalTime start = LocalTime.now(ZoneId.of(ZONE)).plusHours(3).truncatedTo(ChronoUnit.HOURS);
        return new QuietWindow(start.toString(), start.plusHours(8).toString());
    }

    /** The preferences' {@code quietHours} and {@code timeZone} fields, as JSON members. */
    String json() {
        return "\"quietHours\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"},\"timeZone\":\"" + ZONE + "\"";
    }
}
