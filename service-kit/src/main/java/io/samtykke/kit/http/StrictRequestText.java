package io.samtykke.kit.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.kit.json.StrictJson;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Path segments and query parameters get the same text rule as JSON strings ({@link StrictJson#problemOf}):
 * no C0 control character but tab, line feed and carriage return, no lone surrogate. Checked before any
 * resource runs, for every service alike, so a NUL in a URL is a 400 problem+json, never a 500 from the
 * database that cannot store it.
 */
@Singleton
public class StrictRequestText {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> check(ContainerRequestContext request, HttpServerRequest http) {
        if (http.query() == null && plain(http.path())) {
            return Optional.empty(); // nearly every request: nothing to decode, so nothing to refuse, and no URI parsed
        }
        UriInfo uri = request.getUriInfo();
        // the raw path, decoded here once: UriInfo's decoded segments decode an escaped '%' (%25) a second time and throw
        for (String segment : uri.getRequestUri().getRawPath().split("/")) {
            String text;
            try {
                text = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.of(refuse(uri, "the path has an invalid percent-encoding", "/path"));
            }
            String problem = StrictJson.problemOf(text);
            if (problem != null) {
                return Optional.of(refuse(uri, "the path " + problem, "/path"));
            }
        }
        for (Map.Entry<String, List<String>> param : uri.getQueryParameters(true).entrySet()) {
            String problem = StrictJson.problemOf(param.getKey());
            for (String value : param.getValue()) {
                problem = problem != null ? problem : StrictJson.problemOf(value);
            }
            if (problem != null) {
                String name = StrictJson.problemOf(param.getKey()) == null ? param.getKey() : "?";
                return Optional.of(refuse(uri, "query parameter '" + name + "' " + problem, "/query/" + name));
            }
        }
        return Optional.empty();
    }

    /** Printable ASCII without a percent-escape decodes to itself: no control character, no surrogate. */
    static boolean plain(String rawPath) {
        if (rawPath == null) {
            return false;
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '%') {
                return false;
            }
        }
        return true;
    }

    private static Response refuse(UriInfo uri, String detail, String pointer) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "https://samtykke.io/problems/validation");
        problem.put("title", "The request is not valid");
        problem.put("status", 400);
        problem.put("detail", detail);
        problem.put("instance", StrictJson.problemOf(uri.getPath()) == null ? uri.getPath() : uri.getRequestUri().getRawPath());
        problem.put("errors", List.of(Map.of("detail", detail, "pointer", pointer)));
        try {
            return Response.status(400).type("application/problem+json").entity(JSON.writeValueAsString(problem)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
