package io.samtykke.preference.consentservice;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The part of consent-service's HTTP API preference-service calls. Answers come back as they are (any status), so
 * {@link ConsentServiceClient} decides what a failure means; base URL and connect timeout:
 * {@code quarkus.rest-client.consent-service.*}.
 */
@RegisterRestClient(configKey = "consent-service")
@Produces(MediaType.APPLICATION_JSON)
public interface ConsentServiceApi {

    @GET
    @Path("/v1/purposes")
    Uni<Response> purposes(@HeaderParam("Authorization") String authorization);

    @POST
    @Path("/v1/subjects/{subjectId}/consents")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> recordConsents(@HeaderParam("Authorization") String authorization,
                                 @HeaderParam("Idempotency-Key") String idempotencyKey,
                                 @PathParam("subjectId") String subjectId, JsonNode changes);
}
