package io.samtykke.preference.consentservice;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.client.runtime.TokensHelper;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.config.PreferenceConfig.ConsentService.Client;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens with role {@code app} for the tenant preference-service acts in when it calls consent-service:
 * from the tenant's OAuth2 client-credentials client when one is configured (quarkus-oidc-client: the grant, the
 * cache, renewal before expiry), else signed with the configured development key (smallrye-jwt-build).
 */
@ApplicationScoped
public class ServiceTokens {

    /** The {@code sub} of signed tokens: consent-service records it as the calling client. */
    public static final String CLIENT = "preference-service";
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(30);
    private static final Duration TOKEN_ENDPOINT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    PreferenceConfig config;

    @Inject
    Clock clock;

    @Inject
    OidcClients oidcClients;

    private final Map<String, TenantClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Signed> signed = new ConcurrentHashMap<>();
    private volatile PrivateKey signingKey;

    /** A tenant's OAuth2 client and its current tokens (acquired on first use, renewed when close to expiry). */
    private record TenantClient(Uni<OidcClient> client, TokensHelper tokens) {
    }

    private record Signed(String token, Instant renewAt) {
    }

    public Uni<String> forTenant(String tenant) {
        Client client = config.consentService().clients().get(tenant);
        return client != null ? clientCredentials(tenant, client) : Uni.createFrom().item(() -> sign(tenant));
    }

    private Uni<String> clientCredentials(String tenant, Client settings) {
        TenantClient tc = clients.computeIfAbsent(tenant, t -> new TenantClient(
                oidcClients.newClient(oidcClient(t, settings)).memoize().indefinitely(), new TokensHelper()));
        return tc.client()
                .onFailure().invoke(() -> clients.remove(tenant, tc))
                .flatMap(tc.tokens()::getTokens)
                .map(Tokens::getAccessToken);
    }

    /** The settings {@code samtykke.consent-service.clients."<tenant>".*} as a quarkus-oidc-client configuration. */
    private OidcClientConfig oidcClient(String tenant, Client settings) {
        return OidcClientConfig.builder()
                .id("consent-service-" + tenant)
                .authServerUrl(settings.tokenUrl())
                .discoveryEnabled(false)
                .tokenPath(settings.tokenUrl())
                .clientId(settings.clientId())
                .credentials().clientSecret(settings.clientSecret(), Method.POST).end()
                .grant(OidcClientConfig.Grant.Type.CLIENT)
                .refreshTokenTimeSkew(RENEW_BEFORE_EXPIRY)
                .connectionTimeout(TOKEN_ENDPOINT_CONNECT_TIMEOUT)
                .build();
    }

    private String sign(String tenant) {
        Signed cached = signed.get(tenant);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.renewAt())) {
            return cached.token();
        }
        Instant expires = now.plus(config.consentService().tokenLifetime());
        String token = Jwt.issuer(config.consentService().tokenIssuer())
                .subject(CLIENT)
                .audience(config.consentService().tokenAudience())
                .claim("tenant", tenant)
                .groups(Set.of("app"))
                .issuedAt(now)
                .expiresAt(expires)
                .sign(signingKey());
        signed.put(tenant, new Signed(token, expires.minus(RENEW_BEFORE_EXPIRY)));
        return token;
    }

    private PrivateKey signingKey() {
        PrivateKey key = signingKey;
        if (key == null) {
            String file = config.consentService().signingKeyFile().orElseThrow(() -> new ProblemException(
                    PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE, "no credential for consent-service is configured "
                    + "(samtykke.consent-service.signing-key-file or samtykke.consent-service.clients.\\\"<tenant>\\\".*)"));
            signingKey = key = readKey(Path.of(file));
        }
        return key;
    }

    /** An RSA PKCS#8 key, PEM or DER. */
    static PrivateKey readKey(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.US_ASCII);
            return KeyUtils.decodePrivateKey(text.contains("-----BEGIN") ? text : Base64.getEncoder().encodeToString(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key " + file, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("the signing key " + file + " is not an RSA PKCS#8 key", e);
        }
    }
}
