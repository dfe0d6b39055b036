package io.samtykke.audit.entry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The opaque page cursor: the seq of the last entry a page returned. */
final class Cursor {

    private static final String PREFIX = "after:";

    private Cursor() {
    }

    static String after(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + seq).getBytes(StandardCharsets.UTF_8));
    }

    /** The seq the cursor points after; empty when it is not a cursor this service issued. */
    static Optional<Long> decode(String cursor) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!s.startsWith(PREFIX)) {
                return Optional.empty();
            }
            long seq = Long.parseLong(s.substring(PREFIX.length()));
            return seq < 0 ? Optional.empty() : Optional.of(seq);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
