package io.samtykke.kit.http;

import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.samtykke.kit.problem.ProblemMapper;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * 400 problem+json for a query parameter the operation does not take, in every service: a misspelt filter
 * ({@code /v1/entries?subjet=…}) would otherwise be ignored and the caller handed the whole unfiltered list as if it
 * were the filtered one. The names an operation takes are its method's {@code @QueryParam}/{@code @RestQuery}
 * parameters and those of its {@code @BeanParam}s, read once per method.
 */
public class UnknownQueryParameters {

    private final Map<Method, Set<String>> known = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public Response check(ContainerRequestContext request, HttpServerRequest http, ResourceInfo resource) {
        if (http.query() == null || resource.getResourceMethod() == null) {
            return null; // nearly every request: no query at all
        }
        Set<String> takes = known.computeIfAbsent(resource.getResourceMethod(), UnknownQueryParameters::queryNames);
        Set<String> unknown = new TreeSet<>(request.getUriInfo().getQueryParameters(true).keySet());
        unknown.removeAll(takes);
        if (unknown.isEmpty()) {
            return null;
        }
        String accepted = takes.isEmpty() ? "it takes none" : "it takes " + String.join(", ", new TreeSet<>(takes));
        List<Problem.FieldError> errors = unknown.stream()
                .map(name -> new Problem.FieldError("is not a parameter of this operation; " + accepted, "/query/" + name))
                .toList();
        return ProblemMapper.response(CommonProblem.VALIDATION, "unknown query parameter " + String.join(", ", unknown)
                + "; " + accepted, errors, request.getUriInfo().getPath());
    }

    static Set<String> queryNames(Method method) {
        Set<String> names = new HashSet<>();
        for (Parameter p : method.getParameters()) {
            String name = queryName(p.getAnnotations(), p.getName());
            if (name != null) {
                names.add(name);
            } else if (p.isAnnotationPresent(BeanParam.class)) {
                for (Class<?> c = p.getType(); c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        String field = queryName(f.getAnnotations(), f.getName());
                        if (field != null) {
                            names.add(field);
                        }
                    }
                }
            }
        }
        return Set.copyOf(names);
    }

    private static String queryName(Annotation[] annotations, String javaName) {
        for (Annotation a : annotations) {
            if (a instanceof QueryParam q) {
                return q.value();
            }
            if (a instanceof RestQuery q) {
                return q.value().isEmpty() ? javaName : q.value();
            }
        }
        return null;
    }
}
