package io.samtykke.audit.problem;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.List;

/** The one place errors become RFC 9457 problem+json. Never leaks a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    public static Response response(ProblemType type, String detail, List<Problem.FieldError> errors, String instance) {
        return Response.status(type.status())
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem(type.uri(), type.title(), type.status(), detail, instance, errors))
                .build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return response(e.type(), e.getMessage(), e.errors(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, UriInfo uri) {
        return response(ProblemType.UNAUTHORIZED, "a valid bearer token is required", List.of(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri) {
        return response(ProblemType.UNAUTHORIZED, "a valid bearer token is required", List.of(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return response(ProblemType.FORBIDDEN, "the token's roles do not allow this", List.of(), uri.getPath());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        ProblemType type = switch (status) {
            case 400 -> ProblemType.VALIDATION;
            case 401 -> ProblemType.UNAUTHORIZED;
            case 403 -> ProblemType.FORBIDDEN;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
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
        return response(ProblemType.INTERNAL, "an unexpected error occurred; it has been logged", List.of(), uri.getPath());
    }
}
