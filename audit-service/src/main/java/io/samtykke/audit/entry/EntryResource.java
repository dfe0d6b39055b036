package io.samtykke.audit.entry;

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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/entries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Entries", description = "The tenant's append-only evidence log")
@RolesAllowed(Caller.AUDITOR)
public class EntryResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    @Inject
    EntryQueries queries;

    @Inject
    Callers callers;

    @GET
    @Operation(summary = "The tenant's audit entries, one page at a time",
            description = "Every event received, oldest first (or newest first with order=desc), optionally only those of one"
                    + " subject, purpose, event type or event-time range.")
    @APIResponse(responseCode = "200", description = "One page; nextCursor is absent on the last")
    public Uni<EntryPage> list(
            @Parameter(description = "Only entries of this subject id") @QueryParam("subject") String subject,
            @Parameter(description = "Only entries of this purpose key") @QueryParam("purpose") String purpose,
            @Parameter(description = "Only entries of this event type, e.g. io.samtykke.consent.withdrawn.v1")
            @QueryParam("type") String type,
            @Parameter(description = "Only events at or after this time (RFC 3339)") @QueryParam("from") String from,
            @Parameter(description = "Only events before this time (RFC 3339)") @QueryParam("to") String to,
            @Parameter(description = "asc (oldest first, default) or desc (newest first)") @QueryParam("order") String order,
            @Parameter(description = "Page size, 1-500, default 100") @QueryParam("limit") String limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor) {
        Caller caller = callers.current();
        boolean newestFirst = QueryParams.choice(order, "order", "asc", "desc");
        Cursor after = null;
        if (cursor != null) {
            after = Cursor.decode(cursor).orElseThrow(() -> QueryParams.invalid("cursor", "is not a cursor this service issued"));
            if (after.newestFirst() != newestFirst) {
                throw QueryParams.invalid("cursor", "was issued for the other order");
            }
        }
        return queries.page(caller.tenant(), filter(subject, purpose, type, from, to), after, newestFirst,
                QueryParams.limit(limit, DEFAULT_LIMIT, MAX_LIMIT));
    }

    @GET
    @Path("{index}")
    @Operation(summary = "One entry by its seq (leaf index), with its canonical entry bytes",
            description = "entry is base64 of the bytes whose SHA-256(0x00 || bytes) is leafHash: check it, then check the"
                    + " leaf hash with GET /v1/proofs/inclusion against a checkpoint.")
    @APIResponse(responseCode = "200", description = "The entry")
    @APIResponse(responseCode = "404", description = "No such entry")
    public Uni<AuditEntry> get(@PathParam("index") String index) {
        Caller caller = callers.current();
        long seq = QueryParams.wholeNumber(index, "index").orElseThrow();
        return queries.bySeq(caller.tenant(), seq).map(e -> e.orElseThrow(() ->
                new ProblemException(CommonProblem.NOT_FOUND, "the log has no entry " + seq)));
    }

    /** The filter of the query parameters shared by entries and exports. */
    public static EntryQueries.Filter filter(String subject, String purpose, String type, String from, String to) {
        EntryQueries.Filter filter = new EntryQueries.Filter(QueryParams.text(subject, "subject"), QueryParams.text(purpose, "purpose"),
                QueryParams.text(type, "type"), QueryParams.instant(from, "from").orElse(null),
                QueryParams.instant(to, "to").orElse(null));
        if (filter.from() != null && filter.to() != null && !filter.from().isBefore(filter.to())) {
            throw QueryParams.invalid("to", "must be after from");
        }
        return filter;
    }
}
