package io.samtykke.preference.problem;

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

    /** Throws a {@link ProblemType#VALIDATION} problem when anything was wrong. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            String detail = errors.size() == 1
                    ? errors.get(0).pointer() + " " + errors.get(0).detail()
                    : errors.size() + " fields are invalid";
            throw new ProblemException(ProblemType.VALIDATION, detail, List.copyOf(errors));
        }
    }
}
