package io.samtykke.audit.verifier;

import java.util.LinkedHashMap;
import java.util.Map;

/** The property-sorting example of RFC 8785 section 3.2.3, which the writer's own test and the oracle test both check. */
final class Rfc8785Examples {

    /** The example's members, sorted by their UTF-16 code units (not by code points or bytes), without whitespace. */
    static final String SORTED = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small"
            + " Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew"
            + " Letter Dalet With Dagesh\"}";

    private Rfc8785Examples() {
    }

    /** The example's members in the RFC's (unsorted) order. */
    static Map<String, Object> sortingInput() {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("\u20ac", "Euro Sign");
        members.put("\r", "Carriage Return");
        members.put("\ufb33", "Hebrew Letter Dalet With Dagesh");
        members.put("1", "One");
        members.put("\ud83d\ude00", "Emoji: Grinning Face");
        members.put("\u0080", "Control");
        members.put("\u00f6", "Latin Small Letter O With Diaeresis");
        return members;
    }
}
