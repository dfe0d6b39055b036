package io.samtykke.consent.identifier;

import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierConsentRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierConsentResponse;
import io.samtykke.consent.record.ConsentApi.IdentifierRequest;
import io.samtykke.consent.record.ConsentRequestValidator;
import io.samtykke.consent.record.ConsentService;
import io.samtykke.consent.record.WriteContext;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Identifiers", description = "Contact identifiers (stored encrypted) and changes by identifier")
public class IdentifierResource {

    @Inject
    IdentifierStore identifiers;

    @Inject
    ConsentService consents;

    @Inject
    Callers callers;

    public record IdentifierList(String subjectId, List<IdentifierRequest> identifiers) {
    }

    @PUT
    @Path("/subjects/{subjectId}/identifiers")
    @RolesAllowed({Caller.APP, Caller.SUBJECT})
    @Operation(summary = "Attach contact identifiers to a subject (encrypted at rest)")
    public Uni<IdentifierList> attach(@PathParam("subjectId") String subjectId, List<IdentifierRequest> body) {
        Caller caller = callers.current();
        ConsentRequestValidator.validateSubjectId(subjectId);
        caller.requireAccessTo(subjectId);
        if (body == null || body.isEmpty()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "at least one identifier is required");
        }
        RequestErrors errors = new RequestErrors();
        identifiers.validate(body, "", errors);
        errors.throwIfAny();
        return consents.attachIdentifiers(caller, subjectId, body)
                .flatMap(v -> identifiers.identifiersOf(caller.tenant(), subjectId))
                .map(list -> new IdentifierList(subjectId, list));
    }

    @GET
    @Path("/subjects/{subjectId}/identifiers")
    @RolesAllowed({Caller.APP, Caller.SUBJECT, Caller.DPO})
    @Operation(summary = "The subject's contact identifiers, decrypted")
    public Uni<IdentifierList> list(@PathParam("subjectId") String subjectId) {
        Caller caller = callers.current();
        caller.requireAccessTo(subjectId);
        return identifiers.identifiersOf(caller.tenant(), subjectId).map(list -> new IdentifierList(subjectId, list));
    }

    @POST
    @Path("/identifiers/consents")
    @RolesAllowed({Caller.APP, Caller.DPO})
    @Operation(summary = "Record changes for every subject that owns a contact identifier",
            description = "E.g. withdraw the newsletter for an email address from an unsubscribe link or a support "
                    + "ticket. Found through the blind index; the address itself is never stored in clear. 404 when "
                    + "no subject has the identifier.")
    public Uni<IdentifierConsentResponse> byIdentifier(IdentifierConsentRequest body,
                                                       @HeaderParam(HttpHeaders.USER_AGENT) String userAgent,
                                                       @Context HttpServerRequest http) {
        Caller caller = callers.current();
        if (body == null || body.identifier() == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/identifier", "is required");
        }
        RequestErrors errors = new RequestErrors();
        identifiers.validate(body.identifier(), "/identifier", errors);
        errors.throwIfAny();
        String ip = http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        ConsentRequest request = new ConsentRequest(body.changes(), body.evidence(), null);
        return identifiers.subjectsOf(caller.tenant(), body.identifier()).flatMap(subjects -> {
            if (subjects.isEmpty()) {
                throw new ProblemException(CommonProblem.NOT_FOUND, "no subject has this identifier");
            }
            // one transaction for every owner: a change refused for one subject writes nothing for any
            return consents.writeAll(subjects, request, new WriteContext(caller, null, null, ip, userAgent))
                    .map(results -> new IdentifierConsentResponse(
                            results.stream().map(ConsentService.WriteResult::body).toList()));
        });
    }
}
