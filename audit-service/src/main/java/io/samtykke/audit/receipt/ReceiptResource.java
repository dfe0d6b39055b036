package io.samtykke.audit.receipt;

import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.entry.EntryQueries;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Optional;
import java.util.UUID;

@Path("/v1/receipts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Receipts", description = "Consent receipts (Kantara CR 1.1, ISO/IEC TS 27560) with their proof in the log")
public class ReceiptResource {

    @Inject
    EntryQueries queries;

    @Inject
    Receipts receipts;

    @Inject
    Callers callers;

    @GET
    @Path("{eventId}")
    @RolesAllowed({Caller.AUDITOR, Caller.SUBJECT})
    @Operation(summary = "The consent receipt of one consent record, with its inclusion proof and signed checkpoint",
            description = "Auditors read any record of their tenant; a person (role subject) reads the receipts of their own"
                    + " records. The offline verifier checks a receipt: java -jar audit-verifier.jar receipt FILE --key KEY.")
    @APIResponse(responseCode = "200", description = "The receipt; without proof (and with Retry-After) until the record is checkpointed",
            content = @Content(schema = @Schema(implementation = ConsentReceipt.class)))
    @APIResponse(responseCode = "404", description = "No consent record with this event id for the caller")
    public Uni<Response> receipt(@PathParam("eventId") String eventId) {
        Caller caller = callers.current();
        UUID id = QueryParams.uuid(eventId, "eventId").orElseThrow();
        ProblemException notFound = new ProblemException(CommonProblem.NOT_FOUND, "no consent record " + eventId + " for you");
        Uni<Optional<AuditEntry>> query;
        if (caller.is(Caller.AUDITOR)) {
            query = queries.byEventId(caller.tenant(), id);
        } else if (caller.subject() == null || caller.subject().isEmpty()) {
            query = Uni.createFrom().item(Optional.empty());
        } else {
            // a person's own records, by the pseudonym of their id; the opened subject id reads "erased" after erasure
            query = queries.byEventIdAbout(caller.tenant(), id, caller.subject());
        }
        return query.flatMap(found -> {
            AuditEntry entry = found.filter(e -> ConsentEventType.find(e.type()).isPresent())
                    .orElseThrow(() -> notFound);
            return receipts.of(caller.tenant(), entry).map(receipt -> {
                Response.ResponseBuilder response = Response.ok(receipt);
                return (receipt.proof() == null ? response.header("Retry-After", "1") : response).build();
            });
        });
    }
}
