package io.samtykke.kit.problem;

/**
 * A stable problem {@code type} (RFC 9457): the extension point through which each service adds its own kinds of
 * error to the kit's {@link CommonProblem}s, as an enum implementing this interface.
 */
public interface ProblemType {

    String BASE = "https://samtykke.io/problems/";

    /** The last segment of the type URI, e.g. {@code validation}. */
    String slug();

    int status();

    String title();

    default String uri() {
        return BASE + slug();
    }
}
