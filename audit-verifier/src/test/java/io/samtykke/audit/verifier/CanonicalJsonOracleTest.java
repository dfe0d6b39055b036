package io.samtykke.audit.verifier;

import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CanonicalJson against RFC 8785's own examples and against an independent implementation (the JCS reference
 * port): entries are signed and verified with the same code, so only an outside oracle can show a bug in it.
 */
class CanonicalJsonOracleTest {

    /** RFC 8785 section 3.2.2's example, without its fractions, which entries never hold and CanonicalJson refuses. */
    @Test
    void theRfcsStringAndLiteralsExample() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("string", "\u20ac$\u000f\nA'B\"\\\\\"/");
        value.put("literals", java.util.Arrays.asList(null, true, false));
        assertEquals("{\"literals\":[null,true,false],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}", CanonicalJson.write(value));
        assertEquals(oracle("{\"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", \"literals\": [null, true, false]}"),
                CanonicalJson.write(value));
    }

    /** RFC 8785 section 3.2.3: members sorted by their UTF-16 code units, not by code points or bytes. */
    @Test
    void theRfcsSortingExample() throws Exception {
        Map<String, Object> value = Rfc8785Examples.sortingInput();
        String canonical = CanonicalJson.write(value);
        assertEquals(Rfc8785Examples.SORTED, canonical);
        assertEquals(oracle(loose(value, new Random(1))), canonical);
    }

    /** Generated values of every kind entries hold, written loosely (any member order, whitespace, escapes). */
    @Test
    void agreesWithAnIndependentImplementationOnGeneratedValues() throws Exception {
        long seed = Long.getLong("samtykke.jcs.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            // an object at the top, as every entry is (and as the oracle requires)
            Map<String, Object> value = new LinkedHashMap<>();
            for (int m = 0, n = random.nextInt(6); m < n; m++) {
                value.put(string(random), value(random, 1));
            }
            String loose = loose(value, random);
            assertEquals(oracle(loose), CanonicalJson.write(value), "seed " + seed + ": " + loose);
        }
    }

    private static String oracle(String json) throws Exception {
        return new JsonCanonicalizer(json).getEncodedString();
    }

    private static final String[] STRINGS = {"", "a", "Z", "æøå", "€", "😀", "\ud834\udd1e", "\u0000", "\u001f", "\u007f", "\u0080",
            "\u2028", "\u2029", "\ufeff", "\uffff", "\"", "\\", "/", "\b\f\n\r\t", "tenant/subject", "2026-03-05T18:41:02.123Z"};

    private static Object value(Random r, int depth) {
        int kind = depth > 3 ? r.nextInt(5) : r.nextInt(7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> switch (r.nextInt(4)) {
                case 0 -> (long) r.nextInt(1000) - 500;
                case 1 -> 9007199254740991L;
                case 2 -> -9007199254740991L;
                default -> r.nextLong() % 9007199254740991L;
            };
            case 3, 4 -> string(r);
            case 5 -> {
                List<Object> list = new ArrayList<>();
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    list.add(value(r, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = 0, n = r.nextInt(5); i < n; i++) {
                    map.put(string(r), value(r, depth + 1));
                }
                yield map;
            }
        };
    }

    private static String string(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = r.nextInt(4); i < n; i++) {
            b.append(STRINGS[r.nextInt(STRINGS.length)]);
        }
        return b.toString();
    }

    /** Valid JSON for {@code value} that is not canonical: shuffled members, spaces, and escapes where none are needed. */
    private static String loose(Object value, Random r) {
        StringBuilder out = new StringBuilder();
        loose(value, r, out);
        return out.toString();
    }

    private static void loose(Object value, Random r, StringBuilder out) {
        String space = r.nextBoolean() ? "" : " \n\t".substring(0, 1 + r.nextInt(3));
        if (value == null || value instanceof Boolean || value instanceof Long) {
            out.append(space).append(value).append(space);
        } else if (value instanceof String s) {
            out.append(space).append('"');
            for (char c : s.toCharArray()) {
                if (c < 0x20 || c == '"' || c == '\\' || r.nextInt(4) == 0) {
                    out.append(String.format(r.nextBoolean() ? "\\u%04x" : "\\u%04X", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"').append(space);
        } else if (value instanceof List<?> list) {
            out.append('[').append(space);
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                loose(list.get(i), r, out);
            }
            out.append(space).append(']');
        } else {
            List<Map.Entry<String, Object>> members = new ArrayList<>(((Map<String, Object>) value).entrySet());
            Collections.shuffle(members, r);
            out.append('{').append(space);
            for (int i = 0; i < members.size(); i++) {
                out.append(i == 0 ? "" : ",");
                loose(members.get(i).getKey(), r, out);
                out.append(':');
                loose(members.get(i).getValue(), r, out);
            }
            out.append(space).append('}');
        }
    }
}
