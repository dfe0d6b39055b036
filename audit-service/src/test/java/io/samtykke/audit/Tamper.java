package io.samtykke.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What an attacker with the database owner's rights can do to the log: switch the append-only triggers
 * off for a moment, in one transaction, and change rows. Tests use it to show the tampering is caught.
 */
final class Tamper {

    private Tamper() {
    }

    /** Runs {@code sql} (parameters: the tenant, then {@code args}) with the log's triggers off. */
    static void entries(String tenant, String sql, Object... args) {
        try (Connection c = Auditor.DATABASE.connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("alter table audit_entry disable trigger user");
            }
            try (PreparedStatement s = c.prepareStatement(sql)) {
                s.setString(1, tenant);
                for (int i = 0; i < args.length; i++) {
                    s.setObject(i + 2, args[i]);
                }
                s.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("alter table audit_entry enable trigger user");
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("tampering failed", e);
        }
    }
}
