package io.samtykke.kit.problem;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects everything wrong with a request body, so one response lists all of it. */
public final class RequestErrors {

    private final List<Problem.FieldError> errors = new ArrayList<>();

    public RequestErrors require(boolean ok, String pointer, String detail) {
        if (!ok) {
            errors.add(new Problem.FieldError(detail, pointer));
        }
        return this;
    }

    public RequestErrors requirePresent(Object value, String pointer) {
        return require(value != null && !(value instanceof String s && s.isBlank()), pointer, "is required");
    }

    public RequestErrors requireMatch(String value, Pattern pattern, String pointer, String what) {
        return require(value == null || pattern.matcher(value).matches(), pointer, "is not a valid " + what);
    }

    public RequestErrors requireMaxLength(String value, int max, String pointer) {
        return require(value == null || value.length() <= max, pointer, "is longer than " + max + " characters");
    }

    /**
     * One-line text (names, ids, app and collection-point fields): no C0 control character (U+0000-U+001F) at all.
     * PostgreSQL cannot store NUL in text, and a tab or line break has no place in such a field.
     */
    public RequestErrors requireSingleLine(String value, String pointer) {
        return requireNoControl(value, pointer, "");
    }

    /** A relayed HTTP field value (a user agent): tab allowed, as HTTP allows it there; other C0 controls not. */
    public RequestErrors requireFieldValue(String value, String pointer) {
        return requireNoControl(value, pointer, "\t");
    }

    /** Multi-line text (descriptions, notice texts): tab, line feed and carriage return allowed, other C0 controls not. */
    public RequestErrors requireMultiLine(String value, String pointer) {
        return requireNoControl(value, pointer, "\t\n\r");
    }

    private RequestErrors requireNoControl(String value, String pointer, String allowed) {
        if (value == null) {
            return this;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && allowed.indexOf(c) < 0) {
                return require(false, pointer, String.format("contains the control character U+%04X at position %d", (int) c, i));
            }
        }
        return this;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws a {@link CommonProblem#VALIDATION} problem when anything was wrong. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            String detail = errors.size() == 1
                    ? errors.get(0).pointer() + " " + errors.get(0).detail()
                    : errors.size() + " fields are invalid";
            throw new ProblemException(CommonProblem.VALIDATION, detail, List.copyOf(errors));
        }
    }
}
