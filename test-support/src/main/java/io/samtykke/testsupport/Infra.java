package io.samtykke.testsupport;

/**
 * Chooses how test infrastructure is started: {@code embedded} (default, no Docker engine needed)
 * or {@code testcontainers} (set by the Maven profile {@code -Ptestcontainers}).
 */
enum Infra {
    EMBEDDED, TESTCONTAINERS;

    static Infra selected() {
        String value = System.getProperty("samtykke.infra", System.getenv().getOrDefault("SAMTYKKE_INFRA", "embedded"));
        return "testcontainers".equalsIgnoreCase(value) ? TESTCONTAINERS : EMBEDDED;
    }
}
