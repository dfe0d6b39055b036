package io.samtykke.kit.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import io.samtykke.kit.problem.Problem;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.media.Schema.SchemaType;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The error answers of the services' OpenAPI documents, described once here instead of on every resource method.
 * Every error the services give is RFC 9457 problem+json (the kit's {@code ProblemMapper}), so each 4xx or 5xx
 * response an operation declares without content gets the problem+json content with the shared {@code Problem}
 * schema; an operation with parameters can answer 400 (the strict reading of parameters); a secured operation can
 * answer 429 ({@code ClientRateLimitFilter} limits every token caller). Quarkus itself adds 400 to operations with
 * a body and 401 and 403 to secured ones; responses an operation declares keep their own description.
 * <p>
 * Runs at startup on the finished document, so the security requirements Quarkus adds are there to read.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ProblemResponses implements OASFilter {

    static final String SCHEMA = "Problem";

    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (operation.getParameters() != null && !operation.getParameters().isEmpty()) {
            addIfAbsent(responses, "400", OASFactory.createAPIResponse().description("Invalid parameter"));
        }
        if (operation.getSecurity() != null && !operation.getSecurity().isEmpty()) {
            addIfAbsent(responses, "429", OASFactory.createAPIResponse()
                    .description("Too many requests from this client; try again after Retry-After seconds")
                    .addHeader("Retry-After", OASFactory.createHeader().description("Seconds to wait")
                            .schema(OASFactory.createSchema().addType(SchemaType.INTEGER))));
        }
        responses.getAPIResponses().forEach((code, response) -> {
            if (code.startsWith("4") || code.startsWith("5")) {
                describeAsProblem(response);
            }
        });
        return operation;
    }

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema(SCHEMA, problemSchema());
    }

    private static void addIfAbsent(APIResponses responses, String code, APIResponse response) {
        if (!responses.hasAPIResponse(code)) {
            responses.addAPIResponse(code, response);
        }
    }

    /** problem+json with the Problem schema, unless the response already names other content. */
    private static void describeAsProblem(APIResponse response) {
        Content content = response.getContent();
        if (content == null || content.getMediaTypes() == null || content.getMediaTypes().isEmpty()) {
            response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, OASFactory.createMediaType()));
        }
        MediaType problem = response.getContent().getMediaType(Problem.MEDIA_TYPE);
        if (problem != null && problem.getSchema() == null) {
            problem.setSchema(OASFactory.createSchema().ref(SCHEMA));
        }
    }

    /** {@link Problem} as JSON Schema. */
    private static Schema problemSchema() {
        Schema error = object("One thing wrong with the request")
                .addProperty("detail", text("What is wrong"))
                .addProperty("pointer", text("A JSON Pointer into the body, or /query/<name>, /path"));
        return object("RFC 9457 problem details")
                .addProperty("type", text("The problem type, a stable URI such as https://samtykke.io/problems/validation")
                        .format("uri"))
                .addProperty("title", text("The problem type's title"))
                .addProperty("status", OASFactory.createSchema().addType(SchemaType.INTEGER).description("The HTTP status"))
                .addProperty("detail", text("What happened in this case"))
                .addProperty("instance", text("The request path"))
                .addProperty("errors", OASFactory.createSchema().addType(SchemaType.ARRAY).items(error)
                        .description("Every field or parameter problem of the request"));
    }

    private static Schema object(String description) {
        return OASFactory.createSchema().addType(SchemaType.OBJECT).description(description);
    }

    private static Schema text(String description) {
        return OASFactory.createSchema().addType(SchemaType.STRING).description(description);
    }
}
