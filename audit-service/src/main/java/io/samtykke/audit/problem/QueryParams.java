package io.samtykke.audit.problem;

import io.samtykke.kit.json.StrictJson;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Reads query parameters strictly; a bad one is a 400 problem pointing at {@code /query/<name>}. */
public final class QueryParams {

    public static final int MAX_TEXT_LENGTH = 256;

    private QueryParams() {
    }

    /** A whole number from 0, absent when the parameter is. */
    public static Optional<Long> wholeNumber(String value, String name) {
        if (value == null) {
            return Optional.empty();
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw invalid(name, "must be a whole number from 0");
        }
        return Optional.of(Long.parseLong(value));
    }

    public static Optional<UUID> uuid(String value, String name) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(value));
        } catch (IllegalArgumentException e) {
            throw invalid(name, "must be a UUID");
        }
    }

    /** An RFC 3339 time with offset, e.g. 2026-05-01T10:00:00Z. */
    public static Optional<Instant> instant(String value, String name) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        Instant instant = StrictJson.parse(value);
        if (instant == null) {
            throw invalid(name, "must be an RFC 3339 time with an offset between the years 1970 and 9999, such as 2026-05-01T10:00:00Z");
        }
        return Optional.of(instant);
    }

    /** A filter value: null when absent or empty. */
    public static String text(String value, String name) {
        if (value != null && value.length() > MAX_TEXT_LENGTH) {
            throw invalid(name, "is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        return value == null || value.isEmpty() ? null : value;
    }

    public static ProblemException invalid(String name, String detail) {
        return ProblemException.at(CommonProblem.VALIDATION, "/query/" + name, detail);
    }
}
