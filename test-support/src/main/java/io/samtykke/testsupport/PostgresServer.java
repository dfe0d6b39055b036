package io.samtykke.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server: embedded binaries from Maven Central (no Docker), or a Testcontainers
 * container when {@code samtykke.infra=testcontainers}. One instance per JVM for tests
 * ({@link #shared()}); a persistent one on a fixed port for the local cluster ({@link #persistent}).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private static PostgresServer shared;

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final AutoCloseable handle;
    private final Path dataDirectory;

    private PostgresServer(String host, int port, String user, String password, AutoCloseable handle, Path dataDirectory) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.handle = handle;
        this.dataDirectory = dataDirectory;
    }

    /** The server shared by every test in this JVM, started on first use, stopped at JVM exit. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = Infra.selected() == Infra.TESTCONTAINERS ? startContainer() : startEmbedded(null, 0);
            AtExit.close(shared, "postgres-stop");
        }
        return shared;
    }

    /**
     * Where a server will listen on this machine ({@code 127.0.0.1:port}) before it runs: for settings of services
     * started ahead of it. Closing it does nothing; start the server itself with {@link #persistent}.
     */
    public static PostgresServer at(int port) {
        return new PostgresServer("127.0.0.1", port, USER, PASSWORD, () -> { }, null);
    }

    /** A server whose data lives in {@code dataDirectory} and survives restarts. */
    public static PostgresServer persistent(Path dataDirectory, int port) {
        return startEmbedded(dataDirectory, port);
    }

    private static PostgresServer startEmbedded(Path dataDirectory, int port) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", dataDirectory == null ? "off" : "on")
                    .setServerConfig("synchronous_commit", dataDirectory == null ? "off" : "on")
                    .setServerConfig("full_page_writes", dataDirectory == null ? "off" : "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setRegisterShutdownHook(false);
            if (dataDirectory != null) {
                builder.setDataDirectory(dataDirectory).setCleanDataDirectory(false);
            }
            if (port > 0) {
                builder.setPort(port);
            }
            EmbeddedPostgres pg = builder.start();
            return new PostgresServer("127.0.0.1", pg.getPort(), USER, PASSWORD, pg, dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL", e);
        }
    }

    private static PostgresServer startContainer() {
        var container = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine")
                .withUsername(USER).withPassword(PASSWORD).withDatabaseName("postgres")
                .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
        container.start();
        return new PostgresServer(container.getHost(), container.getMappedPort(5432), USER, PASSWORD, container::stop, null);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** Creates {@code database} unless it exists, so each module or service gets its own. */
    public void ensureDatabase(String database) {
        if (!database.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("database name must be a plain identifier: " + database);
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
    }

    /**
     * kill -9 of the server and all its processes at once, as a power cut would, then the server again on the same
     * data folder and port: what was committed must be there (fsync is on for a server with its own data folder).
     * Returns the new server; this one is gone.
     */
    public PostgresServer crashAndRestart() throws Exception {
        if (dataDirectory == null) {
            throw new IllegalStateException("only a server with its own data folder can be crashed and restarted");
        }
        long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<ProcessHandle> all = new ArrayList<>(postmaster.descendants().toList());
        all.add(postmaster);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        try {
            handle.close(); // releases the data folder's lock; its stop finds nothing to stop
        } catch (Exception alreadyGone) {
            // the server is dead, which is the point
        }
        return startEmbedded(dataDirectory, port);
    }

    @Override
    public void close() throws Exception {
        handle.close();
    }
}
