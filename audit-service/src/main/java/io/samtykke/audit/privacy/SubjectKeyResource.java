package io.samtykke.audit.privacy;

import io.samtykke.kit.http.QueryParams;
import io.samtykke.kit.security.Caller;
import io.samtykke.kit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/subjects/{subjectId}/key")
@Tag(name = "Erasure", description = "Crypto-shredding of a person's personal data in the log")
public class SubjectKeyResource {

    @Inject
    SubjectKeys keys;

    @Inject
    Callers callers;

    @DELETE
    @RolesAllowed(Caller.DPO)
    @Operation(summary = "Destroy a person's data key: their personal values in the log read as erased, for good",
            description = "Entries, hashes, proofs and checkpoints stay as they were and still verify; events about the person"
                    + " that arrive later are logged without personal values. Idempotent. Cannot be undone.")
    @APIResponse(responseCode = "204", description = "The key is destroyed")
    public Uni<Void> destroy(@PathParam("subjectId") String subjectId) {
        String tenant = callers.current().tenant();
        return keys.destroy(tenant, QueryParams.text(subjectId, "subjectId"));
    }
}
