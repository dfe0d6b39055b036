package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Evidence cannot be changed or removed in PostgreSQL, even by the table's owner. */
@QuarkusTest
class AppendOnlyTest {

    @Test
    void anEntryCannotBeUpdatedDeletedOrTruncatedEvenByTheOwner() throws SQLException {
        Auditor auditor = Auditor.newTenant();
        ConsentEvent sent = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitEntries(1);

        try (Connection c = Auditor.database()) {
            SQLException update = assertThrows(SQLException.class, () -> execute(c,
                    "update audit_entry set type = 'io.samtykke.consent.denied.v1' where tenant_id = ?", auditor.tenant));
            assertThat(update.getMessage(), containsString("append-only"));
            SQLException delete = assertThrows(SQLException.class, () -> execute(c,
                    "delete from audit_entry where tenant_id = ?", auditor.tenant));
            assertThat(delete.getMessage(), containsString("append-only"));
            try (Statement s = c.createStatement()) {
                SQLException truncate = assertThrows(SQLException.class, () -> s.execute("truncate audit_entry"));
                assertThat(truncate.getMessage(), containsString("append-only"));
            }
        }

        List<Map<String, Object>> entries = auditor.entries(Map.of()).getList("entries");
        assertEquals(1, entries.size());
        assertEquals(sent.eventId().toString(), entries.get(0).get("eventId"));
        assertEquals("io.samtykke.consent.granted.v1", entries.get(0).get("type"));
    }

    private static void execute(Connection c, String sql, String tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.executeUpdate();
        }
    }
}
