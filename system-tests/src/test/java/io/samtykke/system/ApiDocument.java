package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A running service's OpenAPI document ({@code /q/openapi}) as the list of its operations, so that tests driven by
 * it cover an endpoint the day it is added.
 */
final class ApiDocument {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One parameter: its name, where it goes (path, query, header) and its schema. */
    record Parameter(String name, String in, JsonNode schema) {
    }

    /**
     * One operation; {@code body} is the JSON request body's schema, or null when it takes none; {@code page} when it
     * answers a person's browser with HTML (its refusals are pages too, not problem+json); {@code scopes} the roles its
     * bearer security requirement names (empty when it has none).
     */
    record Operation(String service, String method, String path, boolean secured, Set<String> scopes, List<Parameter> parameters,
                     JsonNode body, boolean bodyRequired, boolean page) {

        @Override
        public String toString() {
            return service + " " + method + " " + path;
        }
    }

    private final JsonNode root;
    private final String service;

    private ApiDocument(String service, JsonNode root) {
        this.service = service;
        this.root = root;
    }

    static ApiDocument of(String service, String baseUrl) throws Exception {
        HttpResponse<String> doc = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/openapi?format=json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (doc.statusCode() != 200) {
            throw new AssertionError(service + " /q/openapi answered " + doc.statusCode());
        }
        return new ApiDocument(service, JSON.readTree(doc.body()));
    }

    List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            List<Parameter> shared = parameters(path.getValue().path("parameters"));
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (method.getKey().equals("parameters")) {
                    continue;
                }
                JsonNode op = method.getValue();
                List<Parameter> parameters = new ArrayList<>(shared);
                parameters.addAll(parameters(op.path("parameters")));
                JsonNode body = op.path("requestBody").path("content").path("application/json").path("schema");
                boolean secured = op.path("security").isArray() && !op.path("security").isEmpty();
                Set<String> scopes = new TreeSet<>();
                op.path("security").forEach(requirement -> requirement.path("bearer").forEach(role -> scopes.add(role.asText())));
                operations.add(new Operation(service, method.getKey().toUpperCase(), path.getKey(), secured, scopes, parameters,
                        body.isMissingNode() ? null : resolve(body), op.path("requestBody").path("required").asBoolean(false),
                        op.path("responses").toString().contains("\"text/html")));
            }
        }
        return operations;
    }

    /** The response {@code code} that operation {@code method path} documents (missing when it documents none). */
    JsonNode response(String method, String path, String code) {
        return resolve(root.path("paths").path(path).path(method.toLowerCase()).path("responses").path(code));
    }

    private List<Parameter> parameters(JsonNode list) {
        List<Parameter> parameters = new ArrayList<>();
        for (JsonNode p : list) {
            JsonNode param = resolve(p);
            parameters.add(new Parameter(param.path("name").asText(), param.path("in").asText(), resolve(param.path("schema"))));
        }
        return parameters;
    }

    /** {@code node} with a top-level {@code $ref} replaced by what it names (one level; call again on children). */
    JsonNode resolve(JsonNode node) {
        JsonNode at = node;
        for (int hops = 0; at.has("$ref") && hops < 10; hops++) {
            String ref = at.path("$ref").asText();
            if (!ref.startsWith("#/")) {
                throw new AssertionError("external $ref " + ref);
            }
            JsonNode target = root;
            for (String part : ref.substring(2).split("/")) {
                target = target.path(part.replace("~1", "/").replace("~0", "~"));
            }
            at = target;
        }
        return at;
    }
}
