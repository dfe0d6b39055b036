package io.samtykke.kit.openapi;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class ProblemResponsesTest {

    private final ProblemResponses filter = new ProblemResponses();

    @Test
    void aSecuredOperationWithParametersCanAnswer400And429AsProblems() {
        Operation operation = operation(OASFactory.createAPIResponse().description("The entry"),
                OASFactory.createAPIResponse().description("No such entry"));
        operation.addParameter(OASFactory.createParameter().name("index").in(Parameter.In.PATH));
        operation.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme("bearer", List.of("auditor")));

        filter.filterOperation(operation);

        assertEquals(Set.of("200", "404", "400", "429"), operation.getResponses().getAPIResponses().keySet());
        assertEquals("No such entry", operation.getResponses().getAPIResponse("404").getDescription(), "its own words stay");
        for (String code : List.of("400", "404", "429")) {
            assertEquals("#/components/schemas/Problem", operation.getResponses().getAPIResponse(code).getContent()
                    .getMediaType("application/problem+json").getSchema().getRef(), code);
        }
        assertNotNull(operation.getResponses().getAPIResponse("429").getHeaders().get("Retry-After"));
        assertNull(operation.getResponses().getAPIResponse("200").getContent(), "success answers are left alone");
    }

    @Test
    void aPublicOperationWithoutParametersGetsNoGenericErrors() {
        Operation operation = operation(OASFactory.createAPIResponse().description("The page"), null);

        filter.filterOperation(operation);

        assertEquals(Set.of("200"), operation.getResponses().getAPIResponses().keySet());
    }

    @Test
    void otherErrorContentIsKeptAndTheProblemSchemaIsAddedOnce() {
        APIResponse page = OASFactory.createAPIResponse().description("Expired link")
                .content(OASFactory.createContent().addMediaType("text/html", OASFactory.createMediaType()));
        Operation operation = operation(OASFactory.createAPIResponse().description("The page"), null);
        operation.getResponses().addAPIResponse("410", page);
        OpenAPI document = OASFactory.createOpenAPI();

        filter.filterOperation(operation);
        filter.filterOpenAPI(document);

        assertEquals(Set.of("text/html"), page.getContent().getMediaTypes().keySet());
        assertEquals(Set.of("type", "title", "status", "detail", "instance", "errors"),
                document.getComponents().getSchemas().get("Problem").getProperties().keySet());
    }

    private static Operation operation(APIResponse ok, APIResponse notFound) {
        Operation operation = OASFactory.createOperation().responses(OASFactory.createAPIResponses().addAPIResponse("200", ok));
        if (notFound != null) {
            operation.getResponses().addAPIResponse("404", notFound);
        }
        return operation;
    }
}
