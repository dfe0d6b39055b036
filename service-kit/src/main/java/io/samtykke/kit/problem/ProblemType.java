package io.samtykke.kit.problem;

/**
 * A stable problem {@code type} (RFC 9457) with its status and title. The kit's {@link CommonProblem} holds the ones
 * every service answers with; a service adds its own as constants of its own class (the extension point).
 */
public record ProblemType(String slug, int status, String title) {

    public static final String BASE = "https://samtykke.io/problems/";

    /** The type URI, e.g. {@code https://samtykke.io/problems/validation}. */
    public String uri() {
        return BASE + slug;
    }
}
