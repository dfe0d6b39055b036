package io.samtykke.audit.verifier;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The JSON Canonicalization Scheme (RFC 8785) for the values audit entries hold: objects with their
 * members sorted by UTF-16 code units, no whitespace, strings escaped only where JSON requires it
 * (control characters as {@code \b \t \n \f \r} or lowercase hexadecimal escapes), and whole numbers
 * within ±2^53 in plain decimal. Fractions and larger numbers are refused rather than rounded: they are
 * where JCS implementations disagree, and no entry field needs them.
 */
public final class CanonicalJson {

    private static final BigInteger MAX_SAFE = BigInteger.valueOf(9007199254740991L);

    private CanonicalJson() {
    }

    /** The canonical text of a value made of maps, lists, strings, integers, booleans and nulls. */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(s, out);
        } else if (value instanceof Boolean b) {
            out.append(b);
        } else if (value instanceof Number number) {
            out.append(integer(number));
        } else if (value instanceof Map<?, ?> map) {
            List<String> names = new ArrayList<>(map.size());
            for (Object name : map.keySet()) {
                if (!(name instanceof String s)) {
                    throw new IllegalArgumentException("member names are strings, not " + name);
                }
                names.add(s);
            }
            Collections.sort(names);
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(names.get(i), out);
                out.append(':');
                write(map.get(names.get(i)), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no canonical JSON for " + value.getClass().getSimpleName() + " " + value);
        }
    }

    /**
     * A number as JCS writes it, for the numbers entries hold: whole numbers within ±2^53-1 (also when they come
     * as 1.0), written in plain decimal, as the ECMAScript serialization JCS uses would.
     */
    private static BigInteger integer(Number number) {
        BigInteger n;
        if (number instanceof BigInteger big) {
            n = big;
        } else if (number instanceof Integer || number instanceof Long || number instanceof Short || number instanceof Byte) {
            n = BigInteger.valueOf(number.longValue());
        } else {
            BigDecimal d = number instanceof BigDecimal big ? big : new BigDecimal(number.toString());
            try {
                n = d.toBigIntegerExact();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("number " + number + " is not a whole number");
            }
        }
        if (n.abs().compareTo(MAX_SAFE) > 0) {
            throw new IllegalArgumentException("integer " + n + " is outside ±2^53-1");
        }
        return n;
    }

    /** True when {@link #write} can write the number. */
    public static boolean isWritable(Number number) {
        try {
            integer(number);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    out.append(c).append(s.charAt(++i));
                    continue;
                }
                throw new IllegalArgumentException("a string holds a lone surrogate");
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
