package io.samtykke.kit.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.samtykke.kit.json.StrictJson;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The one place errors become RFC 9457 problem+json. Never leaks a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    public static Response response(ProblemType type, String detail, List<Problem.FieldError> errors, String instance) {
        return Response.status(type.status())
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem(type.uri(), type.title(), type.status(), detail, instance, errors))
                .build();
    }

    /** 429 with Retry-After (RFC 6585): {@code who} (a client, an address) sent too many requests. */
    public static Response rateLimited(long retryAfterSeconds, String who, String instance) {
        return Response.fromResponse(response(CommonProblem.RATE_LIMITED,
                        "too many requests from " + who + "; retry after " + retryAfterSeconds + " s", List.of(), instance))
                .header("Retry-After", Long.toString(retryAfterSeconds))
                .build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return response(e.type(), e.getMessage(), e.errors(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    /** Declared on its own: quarkus-rest-jackson maps this subtype itself otherwise, without a body. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    private static Response jsonProblem(JsonProcessingException e, UriInfo uri) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        boolean broken = e instanceof JsonParseException || original.contains("end-of-input")
                || !(e instanceof JsonMappingException);
        if (broken) {
            String detail = original.contains("No content") ? "the request body is empty" : firstLine(original);
            return response(CommonProblem.MALFORMED_JSON, detail, List.of(), uri.getPath());
        }
        JsonMappingException mapping = (JsonMappingException) e;
        String pointer = pointer(mapping);
        String detail;
        if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null && invalid.getTargetType().isEnum()) {
            detail = "'" + invalid.getValue() + "' is not one of " + Arrays.stream(invalid.getTargetType().getEnumConstants())
                    .map(Object::toString).collect(Collectors.joining(", "));
        } else if (e instanceof UnrecognizedPropertyException unknown) {
            // quarkus.jackson.fail-on-unknown-properties=true: a misspelt field is refused, not silently dropped
            detail = "unknown field '" + unknown.getPropertyName() + "'" + (unknown.getKnownPropertyIds() == null
                    || unknown.getKnownPropertyIds().isEmpty() ? "" : "; known fields: " + unknown.getKnownPropertyIds()
                    .stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
        } else if (e instanceof StrictJson.Refused refused) {
            detail = refused.getOriginalMessage();
        } else if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            detail = "expected " + describe(mismatch.getTargetType());
        } else {
            detail = "invalid value: " + firstLine(original);
        }
        return response(CommonProblem.VALIDATION, detail, List.of(new Problem.FieldError(detail, pointer)), uri.getPath());
    }

    private static String describe(Class<?> type) {
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
            return "a number or boolean";
        }
        if (type == java.time.Instant.class) {
            return "an RFC 3339 instant such as 2025-03-14T09:26:53Z";
        }
        return "a JSON object";
    }

    /** Jackson's messages can quote the input at length; the first line says what is wrong. */
    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return unauthorized(uri);
    }

    private static Response unauthorized(UriInfo uri) {
        return Response.fromResponse(response(CommonProblem.UNAUTHORIZED,
                        "a valid bearer token is required (missing, expired, or not signed by a trusted key)", List.of(),
                        uri.getPath()))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return response(CommonProblem.FORBIDDEN, "the token's roles do not allow this", List.of(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return jsonProblem(json, uri);
        }
        int status = e.getResponse().getStatus();
        ProblemType type = switch (status) {
            case 400 -> CommonProblem.VALIDATION;
            case 401 -> CommonProblem.UNAUTHORIZED;
            case 403 -> CommonProblem.FORBIDDEN;
            case 404 -> CommonProblem.NOT_FOUND;
            case 405 -> CommonProblem.METHOD_NOT_ALLOWED;
            case 406 -> CommonProblem.NOT_ACCEPTABLE;
            case 413 -> CommonProblem.PAYLOAD_TOO_LARGE;
            case 415 -> CommonProblem.UNSUPPORTED_MEDIA_TYPE;
            default -> null;
        };
        if (type == null) {
            return Response.status(status).type(Problem.MEDIA_TYPE)
                    .entity(new Problem("about:blank", e.getResponse().getStatusInfo().getReasonPhrase(), status,
                            null, uri.getPath(), List.of()))
                    .build();
        }
        return response(type, e.getMessage(), List.of(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.error("unexpected error on " + uri.getPath(), e);
        return response(CommonProblem.INTERNAL, "an unexpected error occurred; it has been logged", List.of(), uri.getPath());
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            sb.append('/');
            if (ref.getFieldName() != null) {
                sb.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
            } else {
                sb.append(ref.getIndex());
            }
        }
        return sb.toString();
    }
}
