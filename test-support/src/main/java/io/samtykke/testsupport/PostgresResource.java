package io.samtykke.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.HashMap;
import java.util.Map;

/**
 * Points a Quarkus test at the JVM's shared real PostgreSQL. Each service gets its own database,
 * named by the init arg {@code database} (default {@code samtykke}). With the init args {@code app-user} and
 * {@code app-password}, the database is set up as in production: Flyway migrates as the owner, the service
 * connects as its restricted application role (which the migrations create).
 *
 * <pre>{@code @QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)}</pre>
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private String database = "samtykke";
    private String appUser;
    private String appPassword;

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
        appUser = initArgs.get("app-user");
        appPassword = initArgs.get("app-password");
    }

    @Override
    public Map<String, String> start() {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase(database);
        Map<String, String> settings = new HashMap<>(Map.of(
                "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(database),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(database)));
        if (appUser != null) {
            settings.put("quarkus.flyway.username", pg.user());
            settings.put("quarkus.flyway.password", pg.password());
            settings.put("quarkus.datasource.username", appUser);
            settings.put("quarkus.datasource.password", appPassword);
        }
        return settings;
    }

    @Override
    public void stop() {
        // shared for the whole JVM; stopped by a shutdown hook
    }
}
