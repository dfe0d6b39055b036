package io.samtykke.audit.entry;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** One page of entries in seq order. */
public record EntryPage(
        List<AuditEntry> entries,
        @Schema(description = "Pass as cursor for the next page; absent on the last page")
        String nextCursor) {
}
