package io.samtykke.audit.entry;

import io.samtykke.audit.problem.ProblemException;
import io.samtykke.audit.problem.ProblemType;
import io.samtykke.audit.security.Caller;
import io.samtykke.audit.security.Callers;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/entries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Entries", description = "The tenant's append-only evidence log")
public class EntryResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    private static final int MAX_FILTER_LENGTH = 256;

    @Inject
    EntryQueries queries;

    @Inject
    Callers callers;

    @GET
    @RolesAllowed(Caller.AUDITOR)
    @Operation(summary = "The tenant's audit entries in seq order, one page at a time",
            description = "Every event received, as received, optionally only those of one subject, purpose or event type.")
    @APIResponse(responseCode = "200", description = "One page; nextCursor is absent on the last")
    @APIResponse(responseCode = "400", description = "Invalid limit or cursor", content = @Content(mediaType = "application/problem+json"))
    public Uni<EntryPage> list(
            @Parameter(description = "Only entries of this subject id") @QueryParam("subject") String subject,
            @Parameter(description = "Only entries of this purpose key") @QueryParam("purpose") String purpose,
            @Parameter(description = "Only entries of this event type, e.g. io.samtykke.consent.withdrawn.v1")
            @QueryParam("type") String type,
            @Parameter(description = "Page size, 1-500, default 100") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor) {
        Caller caller = callers.current();
        EntryQueries.Filter filter = new EntryQueries.Filter(filter(subject, "subject"), filter(purpose, "purpose"),
                filter(type, "type"));
        long after = cursor == null ? -1 : Cursor.decode(cursor).orElseThrow(() ->
                ProblemException.at(ProblemType.VALIDATION, "/query/cursor", "is not a cursor this service issued"));
        return queries.page(caller.tenant(), filter, after, limit(limit));
    }

    private static String filter(String value, String name) {
        if (value != null && value.length() > MAX_FILTER_LENGTH) {
            throw ProblemException.at(ProblemType.VALIDATION, "/query/" + name, "is longer than " + MAX_FILTER_LENGTH + " characters");
        }
        return value == null || value.isEmpty() ? null : value;
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        int limit = value.matches("[0-9]{1,4}") ? Integer.parseInt(value) : 0;
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.at(ProblemType.VALIDATION, "/query/limit", "must be a whole number from 1 to " + MAX_LIMIT);
        }
        return limit;
    }
}
