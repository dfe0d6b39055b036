package io.samtykke.preference.preference;

/** No messages from {@code start} to {@code end} (HH:mm, local time of the subject's time zone); may span midnight. */
public record QuietHours(String start, String end) {
}
