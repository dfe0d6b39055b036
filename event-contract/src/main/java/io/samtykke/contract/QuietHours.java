package io.samtykke.contract;

/**
 * No messages from {@code start} to {@code end} (HH:mm, local time of the subject's time zone); may span
 * midnight. Part of {@link Preferences}.
 */
public record QuietHours(String start, String end) {
}
