package io.samtykke.kit.problem;

import java.util.List;

/** A domain error that becomes a problem+json response with a stable type. */
public class ProblemException extends RuntimeException {

    private final ProblemType type;
    private final List<Problem.FieldError> errors;

    public ProblemException(ProblemType type, String detail) {
        this(type, detail, List.of());
    }

    public ProblemException(ProblemType type, String detail, List<Problem.FieldError> errors) {
        super(detail, null, false, false);
        this.type = type;
        this.errors = errors;
    }

    public static ProblemException at(ProblemType type, String pointer, String detail) {
        return new ProblemException(type, detail, List.of(new Problem.FieldError(detail, pointer)));
    }

    public ProblemType type() {
        return type;
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }
}
