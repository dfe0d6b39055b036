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

/** Evidence cannot be changed or removed in PostgreSQL: the service's role lacks the rights, and triggers stop even the owner. */
@QuarkusTest
class AppendOnlyTest extends TenantTest {

    @Test
    void theServicesDatabaseRoleCannotUpdateDeleteOrTruncateEvidence() throws SQLException {
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(1);

        try (Connection c = Auditor.DATABASE_AS_SERVICE.connect()) {
            for (String table : List.of("audit_entry", "merkle_node", "audit_checkpoint")) {
                for (String sql : List.of("update " + table + " set tenant_id = tenant_id where tenant_id = ?",
                        "delete from " + table + " where tenant_id = ?")) {
                    SQLException refused = assertThrows(SQLException.class, () -> execute(c, sql, auditor.tenant), sql);
                    assertThat(refused.getMessage(), containsString("permission denied"));
                }
                try (Statement s = c.createStatement()) {
                    assertThat(assertThrows(SQLException.class, () -> s.execute("truncate " + table)).getMessage(),
                            containsString("permission denied"));
                }
            }
            try (PreparedStatement s = c.prepareStatement("select count(*) from audit_entry where tenant_id = ?")) {
                s.setString(1, auditor.tenant);
                try (var rs = s.executeQuery()) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "it reads the log");
                }
            }
        }
    }

    @Test
    void evidenceCannotBeUpdatedDeletedOrTruncatedEvenByTheOwner() throws SQLException {
        ConsentEvent sent = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.WITHDRAWN, 2));
        auditor.awaitCheckpoint(2);

        try (Connection c = Auditor.DATABASE.connect()) {
            for (String table : List.of("audit_entry", "merkle_node", "audit_checkpoint")) {
                SQLException update = assertThrows(SQLException.class, () -> execute(c,
                        "update " + table + " set tenant_id = 'elsewhere' where tenant_id = ?", auditor.tenant));
                assertThat(update.getMessage(), containsString(table + " is append-only: UPDATE is not allowed"));
                SQLException delete = assertThrows(SQLException.class, () -> execute(c,
                        "delete from " + table + " where tenant_id = ?", auditor.tenant));
                assertThat(delete.getMessage(), containsString(table + " is append-only: DELETE is not allowed"));
                try (Statement s = c.createStatement()) {
                    SQLException truncate = assertThrows(SQLException.class, () -> s.execute("truncate " + table));
                    assertThat(truncate.getMessage(), containsString("append-only"));
                }
            }
        }

        List<Map<String, Object>> entries = auditor.entries(Map.of()).getList("entries");
        assertEquals(2, entries.size());
        assertEquals(sent.eventId().toString(), entries.get(0).get("eventId"));
        assertEquals(2, auditor.checkpoint().size());
    }

    private static void execute(Connection c, String sql, String tenant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, tenant);
            s.executeUpdate();
        }
    }
}
