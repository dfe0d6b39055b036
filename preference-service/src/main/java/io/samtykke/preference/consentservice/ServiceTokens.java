package io.samtykke.preference.consentservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.config.PreferenceConfig.ConsentService.Client;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.problem.PreferenceProblem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens with role {@code app} for the tenant preference-service acts in when it calls consent-service:
 * from the tenant's OAuth2 client-credentials client when one is configured, else minted with the configured
 * signing key. Tokens are cached until shortly before they expire.
 */
@ApplicationScoped
public class ServiceTokens {

    /** The {@code sub} of minted tokens: consent-service records it as the calling client. */
    public static final String CLIENT = "preference-service";
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofSeconds(30);

    @Inject
    PreferenceConfig config;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile PrivateKey signingKey;

    private record Cached(String token, Instant renewAt) {
    }

    public Uni<String> forTenant(String tenant) {
        Cached cached = cache.get(tenant);
        if (cached != null && clock.instant().isBefore(cached.renewAt())) {
            return Uni.createFrom().item(cached.token());
        }
        Client client = config.consentService().clients().get(tenant);
        Uni<Cached> fresh = client != null ? clientCredentials(client) : Uni.createFrom().item(() -> mint(tenant));
        return fresh.invoke(c -> cache.put(tenant, c)).map(Cached::token);
    }

    private Cached mint(String tenant) {
        PrivateKey key = signingKey();
        Instant now = clock.instant();
        Instant expires = now.plus(config.consentService().tokenLifetime());
        Map<String, Object> claims = Map.of("iss", config.consentService().tokenIssuer(), "sub", CLIENT,
                "aud", config.consentService().tokenAudience(),
                "tenant", tenant, "groups", List.of("app"), "iat", now.getEpochSecond(), "exp", expires.getEpochSecond());
        return new Cached(JwtSigner.sign(key, claims, json), expires.minus(RENEW_BEFORE_EXPIRY));
    }

    private Uni<Cached> clientCredentials(Client client) {
        String form = "grant_type=client_credentials&client_id=" + encode(client.clientId())
                + "&client_secret=" + encode(client.clientSecret());
        HttpRequest request = HttpRequest.newBuilder(URI.create(client.tokenUrl()))
                .timeout(config.consentService().timeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new ProblemException(PreferenceProblem.CONSENT_SERVICE_UNAVAILABLE,
                                "the token endpoint answered " + response.statusCode());
                    }
                    try {
                        JsonNode body = json.readTree(response.body());
                        long expiresIn = body.path("expires_in").asLong(60);
                        return new Cached(body.path("access_token").asText(),
                                clock.instant().plusSeconds(expiresIn).minus(RENEW_BEFORE_EXPIRY));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
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

    static PrivateKey readKey(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.US_ASCII);
            if (text.contains("-----BEGIN")) {
                bytes = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
            }
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the signing key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the signing key " + file + " is not an RSA PKCS#8 key", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** Compact JWS with RS256, the form quarkus-oidc verifies against a public key. */
    static final class JwtSigner {

        private JwtSigner() {
        }

        static String sign(PrivateKey key, Map<String, Object> claims, ObjectMapper json) {
            try {
                Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
                String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
                String payload = b64.encodeToString(json.writeValueAsBytes(claims));
                Signature rsa = Signature.getInstance("SHA256withRSA");
                rsa.initSign(key);
                rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
                return header + "." + payload + "." + b64.encodeToString(rsa.sign());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign a token", e);
            }
        }
    }
}
