package io.samtykke.audit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.samtykke.testsupport.PostgresServer;

import java.util.Map;

/**
 * The database "audit" on the JVM's real PostgreSQL, set up as in production: Flyway migrates as the
 * owner, the service connects as its application role, which may only read and append evidence.
 */
public class AuditDatabaseResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "audit";
    public static final String APP_ROLE = "audit_app";
    public static final String APP_PASSWORD = "audit-app-test";

    @Override
    public Map<String, String> start() {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase(DATABASE);
        return Map.of(
                "quarkus.flyway.username", pg.user(),
                "quarkus.flyway.password", pg.password(),
                "quarkus.datasource.username", APP_ROLE,
                "quarkus.datasource.password", APP_PASSWORD,
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(DATABASE),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(DATABASE));
    }

    @Override
    public void stop() {
        // shared for the whole JVM; stopped by a shutdown hook
    }
}
