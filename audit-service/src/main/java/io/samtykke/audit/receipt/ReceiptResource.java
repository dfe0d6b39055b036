package io.samtykke.audit.receipt;

import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.entry.EntryQueries;
import io.samtykke.audit.tree.LogSigner;
import io.samtykke.audit.tree.TreeStore.StoredCheckpoint;
import io.samtykke.audit.tree.TreeStore;
import io.samtykke.audit.verifier.ProofPlan;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.Schemas;
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

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

@Path("/v1/receipts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Receipts", description = "Consent receipts (Kantara CR 1.1, ISO/IEC TS 27560) with their proof in the log")
public class ReceiptResource {

    static final String KANTARA_VERSION = "KI-CR-v1.1.0";

    @Inject
    EntryQueries queries;

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    Callers callers;

    @Inject
    AuditConfig config;

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
            AuditEntry entry = found.filter(e -> isConsentEvent(e.type()))
                    .orElseThrow(() -> notFound);
            return store.latestOrEmpty(caller.tenant()).flatMap(checkpoint -> proof(caller.tenant(), entry, checkpoint))
                    .map(proof -> {
                        ConsentReceipt receipt = receipt(caller.tenant(), entry, proof);
                        Response.ResponseBuilder response = Response.ok(receipt);
                        return (proof == null ? response.header("Retry-After", "1") : response).build();
                    });
        });
    }

    private Uni<ConsentReceipt.Proof> proof(String tenant, AuditEntry entry, StoredCheckpoint checkpoint) {
        if (entry.seq() >= checkpoint.size()) {
            return Uni.createFrom().nullItem();
        }
        return store.proof(tenant, ProofPlan.inclusion(entry.seq(), checkpoint.size()))
                .map(hashes -> new ConsentReceipt.Proof(signer.origin(tenant), entry.seq(), checkpoint.size(), entry.entry(),
                        entry.leafHash(), hashes.stream().map(h -> Base64.getEncoder().encodeToString(h)).toList(), checkpoint.note()));
    }

    private ConsentReceipt receipt(String tenant, AuditEntry entry, ConsentReceipt.Proof proof) {
        Map<?, ?> p = entry.payload() instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> notice = map(p.get("notice"));
        Map<?, ?> evidence = map(p.get("evidence"));
        Map<?, ?> source = map(evidence.get("source"));
        String legalBasis = text(p.get("legalBasis"));
        ConsentReceipt.Purpose purpose = new ConsentReceipt.Purpose(entry.purpose(),
                p.get("category") == null ? null : List.of(text(p.get("category"))),
                LegalBasis.CONSENT.name().equals(legalBasis) ? "EXPLICIT" : null, text(p.get("channel")), true,
                p.get("expiresAt") != null ? "expires " + text(p.get("expiresAt")) : "until withdrawn");
        return new ConsentReceipt(KANTARA_VERSION, config.receipts().jurisdiction(), entry.eventTime().toString(),
                collectionMethod(source), entry.eventId(), signer.verifierKey(tenant),
                notice.get("language") != null ? text(notice.get("language")) : text(evidence.get("language")),
                entry.subjectId(), List.of(new ConsentReceipt.Controller(tenant)), text(notice.get("url")),
                List.of(new ConsentReceipt.Service(entry.purpose(), List.of(purpose))), legalBasis,
                notice.isEmpty() ? null : new ConsentReceipt.Notice(text(notice.get("version")), text(notice.get("language")),
                        text(notice.get("contentSha256")), text(notice.get("url")),
                        notice.get("material") instanceof Boolean b ? b : null),
                new ConsentReceipt.Event(entry.type(), text(p.get("action")), text(p.get("previousState")), text(p.get("state")),
                        text(p.get("occurredAt")), text(p.get("recordedAt")), text(p.get("expiresAt"))),
                new ConsentReceipt.Evidence(evidence.get("source"), evidence.get("actor"), text(evidence.get("ipPrefix")),
                        text(evidence.get("userAgent"))),
                new ConsentReceipt.Record(tenant, entry.seq(), Schemas.CONSENT_EVENT, entry.receivedAt().toString(), entry.erased()),
                proof);
    }

    private static String collectionMethod(Map<?, ?> source) {
        if (source.isEmpty()) {
            return null;
        }
        List<String> app = new ArrayList<>();
        for (String part : List.of("appId", "platform", "appVersion")) {
            if (source.get(part) != null) {
                app.add(text(source.get(part)));
            }
        }
        String point = source.get("collectionPoint") != null ? text(source.get("collectionPoint")) : "unspecified";
        return app.isEmpty() ? point : point + " via " + String.join(" ", app);
    }

    private static boolean isConsentEvent(String type) {
        try {
            ConsentEventType.fromType(type);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
