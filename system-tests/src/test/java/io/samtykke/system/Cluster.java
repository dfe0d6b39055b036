package io.samtykke.system;

import io.samtykke.audit.verifier.Ed25519Keys;
import io.samtykke.testsupport.PostgresServer;
import io.samtykke.testsupport.ServiceProcess;
import io.samtykke.testsupport.Tokens;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * All three services as real processes wired as in production (preference-service calls consent-service with its
 * own signed tokens; audit-service reads every topic), over the JVM's shared PostgreSQL and Kafka broker, trusting
 * one token key. Started once per test JVM, by the first test that asks, and stopped when the JVM ends.
 */
final class Cluster {

    static final Set<String> AUDIENCES = Set.of(Tokens.CONSENT_AUDIENCE, Tokens.PREFERENCE_AUDIENCE, Tokens.AUDIT_AUDIENCE);

    private static Cluster shared;

    final ServiceProcess consent;
    final ServiceProcess preference;
    final ServiceProcess audit;
    final Tokens tokens;
    private final PrivateKey signingKey;

    private Cluster(ServiceProcess consent, ServiceProcess preference, ServiceProcess audit, Tokens tokens, PrivateKey signingKey) {
        this.consent = consent;
        this.preference = preference;
        this.audit = audit;
        this.tokens = tokens;
        this.signingKey = signingKey;
    }

    static synchronized Cluster shared() throws Exception {
        if (shared == null) {
            shared = start();
            Cluster started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return shared;
    }

    private static Cluster start() throws Exception {
        PostgresServer pg = PostgresServer.shared();
        Path keys = Files.createTempDirectory("cluster-keys");
        Tokens tokens = Tokens.inFolder(keys);
        PrivateKey signingKey = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(keys.resolve("jwt-private.pk8"))));

        pg.ensureDatabase("consent_cluster");
        Map<String, String> consentSettings = settings(pg, "consent_cluster");
        consentSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        ServiceProcess consent = ServiceProcess.start("consent-service", ServiceProcess.freePort(), consentSettings);

        pg.ensureDatabase("preference_cluster");
        Map<String, String> preferenceSettings = settings(pg, "preference_cluster");
        preferenceSettings.put("samtykke.public-rate-limit.requests-per-second", "100000");
        preferenceSettings.put("samtykke.public-rate-limit.burst", "100000");
        preferenceSettings.remove("samtykke.identifiers.master-key");
        preferenceSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        preferenceSettings.put("samtykke.consent-service.url", consent.url(""));
        preferenceSettings.put("samtykke.consent-service.signing-key-file", keys.resolve("jwt-private.pk8").toString());
        preferenceSettings.put("samtykke.links.secret", Base64.getEncoder().encodeToString(random(32)));
        ServiceProcess preference = ServiceProcess.start("preference-service", ServiceProcess.freePort(), preferenceSettings);

        pg.ensureDatabase("audit_cluster");
        Path auditKey = Files.createTempFile("audit-signing", ".pem");
        Files.writeString(auditKey, Ed25519Keys.toPem(Ed25519Keys.generate().getPrivate()));
        Map<String, String> auditSettings = settings(pg, "audit_cluster");
        auditSettings.remove("samtykke.identifiers.master-key");
        auditSettings.put("quarkus.oidc.public-key", tokens.publicKey());
        auditSettings.put("quarkus.flyway.username", pg.user());
        auditSettings.put("quarkus.flyway.password", pg.password());
        auditSettings.put("quarkus.datasource.username", "audit_app");
        auditSettings.put("quarkus.datasource.password", "audit-cluster");
        auditSettings.put("samtykke.audit.signing-key-file", auditKey.toString());
        auditSettings.put("samtykke.audit.key-encryption-key", Base64.getEncoder().encodeToString(random(32)));
        ServiceProcess audit = ServiceProcess.start("audit-service", ServiceProcess.freePort(), auditSettings);
        return new Cluster(consent, preference, audit, tokens, signingKey);
    }

    /**
     * A service's settings on {@code database}; the rate limits are raised out of the way, since the tests here send
     * thousands of requests as one client and a 429 would hide the answer they check (rate limits have tests of their own).
     */
    private static Map<String, String> settings(PostgresServer pg, String database) {
        Map<String, String> settings = new HashMap<>(ServiceProcess.settingsFor(pg, database));
        settings.put("samtykke.rate-limit.defaults.requests-per-second", "100000");
        settings.put("samtykke.rate-limit.defaults.burst", "100000");
        return settings;
    }

    ServiceProcess service(String name) {
        return switch (name) {
            case "consent-service" -> consent;
            case "preference-service" -> preference;
            case "audit-service" -> audit;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** The claims of a valid token for all three services, before a test changes something. */
    static JwtClaimsBuilder claims(String tenant, String subject, String... roles) {
        return Jwt.issuer(Tokens.ISSUER).audience(AUDIENCES).subject(subject).groups(Set.of(roles)).claim("tenant", tenant)
                .issuedAt(Instant.now().minusSeconds(5)).expiresAt(Instant.now().plusSeconds(3600));
    }

    /** Signs {@code claims} with the key the services trust. */
    String sign(JwtClaimsBuilder claims) {
        return claims.jws().keyId("samtykke-dev").sign(signingKey);
    }

    private void stop() {
        for (ServiceProcess p : new ServiceProcess[] {audit, preference, consent}) {
            try {
                p.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
