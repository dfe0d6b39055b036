package io.samtykke.consent.subject;

import java.time.Instant;
import java.time.ZoneOffset;

/**
 * GDPR Art. 12(3): a request is answered within one month of receipt, extendable by two further months. A month is a
 * calendar month in UTC, clamped to the month's last day: received 31 January, due 28 (or 29) February; extended by
 * two months, due 30 April (counted from receipt, so the clamp of February does not shorten the extension).
 */
public final class DueDates {

    /** The longest extension Art. 12(3) allows, in months. */
    public static final int MAX_EXTENSION_MONTHS = 2;

    private DueDates() {
    }

    /** The due date of a request received at {@code receivedAt}, extended by {@code extendedMonths} (0 when not). */
    public static Instant due(Instant receivedAt, int extendedMonths) {
        return receivedAt.atOffset(ZoneOffset.UTC).plusMonths(1L + extendedMonths).toInstant();
    }
}
