package io.samtykke.testsupport;

import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * Mints real RS256-signed JWTs that the services' quarkus-oidc accepts when configured with
 * {@link #publicKey()} as {@code quarkus.oidc.public-key}. Tests use a key pair generated per JVM;
 * the local cluster keeps a generated development key pair in its data folder (never in the repo).
 */
public final class Tokens {

    public static final String ISSUER = "https://samtykke.local/issuer";
    /** The audiences the services accept ({@code quarkus.oidc.token.audience}), one each. */
    public static final String CONSENT_AUDIENCE = "samtykke-consent-service";
    public static final String PREFERENCE_AUDIENCE = "samtykke-preference-service";
    public static final String AUDIT_AUDIENCE = "samtykke-audit-service";

    private static Tokens forTests;

    private final KeyPair keys;

    private Tokens(KeyPair keys) {
        this.keys = keys;
    }

    /** One generated key pair for the whole test JVM. */
    public static synchronized Tokens forTests() {
        if (forTests == null) {
            forTests = new Tokens(generate());
        }
        return forTests;
    }

    /** Loads the key pair in {@code folder}, generating and saving one first if there is none. */
    public static Tokens inFolder(Path folder) {
        Path priv = folder.resolve("jwt-private.pk8");
        Path pub = folder.resolve("jwt-public.der");
        try {
            if (!Files.exists(priv) || !Files.exists(pub)) {
                Files.createDirectories(folder);
                KeyPair generated = generate();
                Files.write(pub, generated.getPublic().getEncoded());
                Files.write(priv, generated.getPrivate().getEncoded());
            }
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            PublicKey publicKey = rsa.generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));
            PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
            return new Tokens(new KeyPair(publicKey, privateKey));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as base64 DER, the form {@code quarkus.oidc.public-key} takes. */
    public String publicKey() {
        return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    }

    /**
     * A token for {@code tenant} with the given roles, meant for all three services (the development key's tokens, like
     * a Keycloak client with all three audience mappers); {@code subject} becomes the {@code sub} claim.
     */
    public String mint(String tenant, String subject, String... roles) {
        return mint(tenant, subject, Duration.ofHours(1), roles);
    }

    public String mint(String tenant, String subject, Duration lifetime, String... roles) {
        return mintFor(Set.of(CONSENT_AUDIENCE, PREFERENCE_AUDIENCE, AUDIT_AUDIENCE), tenant, subject, lifetime, roles);
    }

    /** A token meant only for {@code audiences} (the {@code aud} claim); the other services refuse it. */
    public String mintFor(Set<String> audiences, String tenant, String subject, Duration lifetime, String... roles) {
        var builder = Jwt.issuer(ISSUER)
                .audience(audiences)
                .subject(subject)
                .groups(new HashSet<>(Arrays.asList(roles)))
                .expiresIn(lifetime);
        if (tenant != null) {
            builder.claim("tenant", tenant);
        }
        return builder.jws().keyId("samtykke-dev").sign(keys.getPrivate());
    }

    /** Prints a token: {@code Tokens FOLDER TENANT ROLE [SUBJECT]}. Used by deploy/local/token. */
    public static void main(String[] args) {
        if (args.length < 3) {
            System.err.println("usage: token TENANT ROLE [SUBJECT]");
            System.exit(2);
        }
        Tokens tokens = inFolder(Path.of(args[0]));
        String subject = args.length > 3 ? args[3] : args[2] + "-client";
        System.out.println(tokens.mint(args[1], subject, Duration.ofHours(12), args[2].split(",")));
    }
}
