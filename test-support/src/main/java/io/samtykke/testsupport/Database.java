package io.samtykke.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Plain JDBC on one database of the JVM's shared PostgreSQL, so a test can prove what a service wrote (or
 * did not write) by looking past its API, and set up what the API cannot (an old row, a held lock).
 */
public record Database(String name, String user, String password) {

    /** Reads the result of a query. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** {@code name} on the shared server, as its owner. */
    public static Database of(String name) {
        PostgresServer pg = PostgresServer.shared();
        return new Database(name, pg.user(), pg.password());
    }

    /** The same database as another role, e.g. a service's restricted application role. */
    public Database as(String user, String password) {
        return new Database(name, user, password);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(PostgresServer.shared().jdbcUrl(name), user, password);
    }

    /** The first column of the first row as a number, e.g. of {@code select count(*)}. */
    public long count(String sql, Object... args) {
        return query(sql, rs -> {
            rs.next();
            return rs.getLong(1);
        }, args);
    }

    /** The first column of the first row as text; null when there is no row or the value is null. */
    public String text(String sql, Object... args) {
        return query(sql, rs -> rs.next() ? rs.getString(1) : null, args);
    }

    public <T> T query(String sql, RowReader<T> reader, Object... args) {
        try (Connection c = connect()) {
            return query(c, sql, reader, args);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs a statement, e.g. to lose or age a row. */
    public void execute(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement s = prepare(c, sql, args)) {
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A query on a connection the caller holds (one session sampled many times, or one inside a transaction). */
    public static <T> T query(Connection c, String sql, RowReader<T> reader, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args); ResultSet rs = s.executeQuery()) {
            return reader.read(rs);
        }
    }

    /** {@link #count} on a connection the caller holds. */
    public static long count(Connection c, String sql, Object... args) throws SQLException {
        return query(c, sql, rs -> {
            rs.next();
            return rs.getLong(1);
        }, args);
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
        return s;
    }
}
