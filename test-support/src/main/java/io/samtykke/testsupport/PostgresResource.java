package io.samtykke.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a Quarkus test at the JVM's shared real PostgreSQL. Each service gets its own database,
 * named by the init arg {@code database} (default {@code samtykke}).
 *
 * <pre>{@code @QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)}</pre>
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private String database = "samtykke";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer pg = PostgresServer.shared();
        pg.ensureDatabase(database);
        return Map.of(
                "quarkus.datasource.username", pg.user(),
                "quarkus.datasource.password", pg.password(),
                "quarkus.datasource.jdbc.url", pg.jdbcUrl(database),
                "quarkus.datasource.reactive.url", pg.reactiveUrl(database));
    }

    @Override
    public void stop() {
        // shared for the whole JVM; stopped by a shutdown hook
    }
}
