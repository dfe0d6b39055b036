package io.samtykke.kit.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** RFC 9457 problem details, with {@code errors} pointing into the request body where known. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One thing wrong with the request; {@code pointer} is a JSON Pointer into the body. */
    public record FieldError(String detail, String pointer) {
    }
}
