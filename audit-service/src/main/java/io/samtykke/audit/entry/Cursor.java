package io.samtykke.audit.entry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The opaque page cursor: the seq of the last entry a page returned, and the direction of reading. */
record Cursor(long seq, boolean newestFirst) {

    private static final String AFTER = "after:";
    private static final String BEFORE = "before:";

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(((newestFirst ? BEFORE : AFTER) + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor, or empty when it is not one this service issued. */
    static Optional<Cursor> decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            boolean newestFirst = s.startsWith(BEFORE);
            if (!newestFirst && !s.startsWith(AFTER)) {
                return Optional.empty();
            }
            long seq = Long.parseLong(s.substring((newestFirst ? BEFORE : AFTER).length()));
            return seq < 0 ? Optional.empty() : Optional.of(new Cursor(seq, newestFirst));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
