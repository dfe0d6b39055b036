package io.samtykke.preference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentAction;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.PurposeCategory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for consent-service's HTTP API, which preference-service calls but does not own: the purpose catalog
 * (GET /v1/purposes) and consent writes (POST /v1/subjects/{id}/consents). A write is answered like consent-service
 * answers it and published on Kafka through {@link ConsentLedger}, as consent-service's relay would, so the real
 * projection sees it. It accepts only RS256 tokens signed with the key it hands preference-service, and the tokens of
 * its client-credentials endpoint (tenant {@value #OAUTH_TENANT}). The real service in this role: system-tests.
 */
public class FakeConsentService implements QuarkusTestResourceLifecycleManager {

    public static final String OAUTH_TENANT = "oauth-tenant";
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Purpose(String key, Channel channel, PurposeCategory category, LegalBasis legalBasis,
                          Map<String, String> names, Map<String, String> descriptions) {
    }

    /** A consent write preference-service made: the tenant and roles of its token, and the body. */
    public record Write(String tenant, String tokenSubject, List<String> roles, String subjectId, JsonNode body,
                        String idempotencyKey) {
    }

    private static final Map<String, Map<String, Purpose>> CATALOG = new ConcurrentHashMap<>();
    private static final List<Write> WRITES = new CopyOnWriteArrayList<>();
    private static final AtomicInteger FAIL_NEXT_WRITES = new AtomicInteger();
    private static final AtomicInteger ISSUED = new AtomicInteger();
    private static final Map<String, String> OAUTH_TOKENS = new ConcurrentHashMap<>();
    private static KeyPair keys;
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            Path keyFile = Files.createTempFile("preference-service-signing", ".pk8");
            keyFile.toFile().deleteOnExit();
            Files.write(keyFile, keys.getPrivate().getEncoded());
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/purposes", this::purposes);
            server.createContext("/v1/subjects/", this::consents);
            server.createContext("/oauth/token", this::token);
            server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
            server.start();
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            return Map.of(
                    "samtykke.consent-service.url", url,
                    "samtykke.consent-service.signing-key-file", keyFile.toString(),
                    "samtykke.consent-service.clients.\"" + OAUTH_TENANT + "\".token-url", url + "/oauth/token",
                    "samtykke.consent-service.clients.\"" + OAUTH_TENANT + "\".client-id", "preference-test",
                    "samtykke.consent-service.clients.\"" + OAUTH_TENANT + "\".client-secret", "test-only-secret");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    public static void define(String tenant, Purpose purpose) {
        CATALOG.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(purpose.key(), purpose);
    }

    public static Purpose purpose(String tenant, String key) {
        Purpose p = CATALOG.getOrDefault(tenant, Map.of()).get(key);
        if (p == null) {
            throw new IllegalArgumentException("purpose " + key + " is not defined for " + tenant);
        }
        return p;
    }

    public static List<Write> writes(String tenant) {
        return WRITES.stream().filter(w -> w.tenant().equals(tenant)).toList();
    }

    /** The next {@code n} consent writes fail with 503, as an unreachable consent-service would. */
    public static void failNextWrites(int n) {
        FAIL_NEXT_WRITES.set(n);
    }

    private void purposes(HttpExchange exchange) throws IOException {
        Caller caller = authenticate(exchange);
        if (caller == null) {
            return;
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("purposes");
        CATALOG.getOrDefault(caller.tenant(), Map.of()).values().forEach(p -> {
            ObjectNode node = list.addObject().put("key", p.key()).put("channel", p.channel().name())
                    .put("legalBasis", p.legalBasis().name()).put("category", p.category().name())
                    .put("doubleOptIn", false).put("active", true);
            node.set("names", JSON.valueToTree(p.names()));
            node.set("descriptions", JSON.valueToTree(p.descriptions()));
        });
        answer(exchange, 200, body.toString());
    }

    private void consents(HttpExchange exchange) throws IOException {
        Caller caller = authenticate(exchange);
        if (caller == null) {
            return;
        }
        String[] path = exchange.getRequestURI().getRawPath().split("/");
        if (!"POST".equals(exchange.getRequestMethod()) || path.length != 5 || !"consents".equals(path[4])) {
            answer(exchange, 404, "{}");
            return;
        }
        String subjectId = URLDecoder.decode(path[3], StandardCharsets.UTF_8);
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        WRITES.add(new Write(caller.tenant(), caller.subject(), caller.roles(), subjectId, body,
                exchange.getRequestHeaders().getFirst("Idempotency-Key")));
        if (FAIL_NEXT_WRITES.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            answer(exchange, 503, "{\"type\":\"about:blank\",\"status\":503}");
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("subjectId", subjectId);
        ArrayNode records = answer.putArray("records");
        long seq = 0;
        for (JsonNode change : body.path("changes")) {
            Purpose p = purpose(caller.tenant(), change.path("purpose").asText());
            ConsentAction action = ConsentAction.valueOf(change.path("action").asText());
            ConsentState state = switch (action) {
                case WITHDRAW -> p.legalBasis() == LegalBasis.CONSENT ? ConsentState.WITHDRAWN : ConsentState.OBJECTED;
                case OBJECT -> ConsentState.OBJECTED;
                case DENY -> ConsentState.DENIED;
                default -> ConsentState.GRANTED;
            };
            ConsentEvent e = ConsentLedger.record(caller.tenant(), subjectId, p, action, state, null);
            seq = e.subjectSeq();
            records.addObject().put("eventId", e.eventId().toString()).put("subjectSeq", e.subjectSeq())
                    .put("purpose", p.key()).put("action", action.name()).put("state", state.name());
        }
        answer.put("subjectSeq", seq);
        answer(exchange, 201, answer.toString());
    }

    private void token(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!form.contains("grant_type=client_credentials") || !form.contains("client_id=preference-test")
                || !form.contains("client_secret=test-only-secret")) {
            answer(exchange, 401, "{\"error\":\"invalid_client\"}");
            return;
        }
        String token = "cc-" + ISSUED.incrementAndGet();
        OAUTH_TOKENS.put(token, OAUTH_TENANT);
        answer(exchange, 200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}");
    }

    private record Caller(String tenant, String subject, List<String> roles) {
    }

    /** The caller of a request, or null after answering 401. */
    private static Caller authenticate(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String token = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
        if (OAUTH_TOKENS.containsKey(token)) {
            return new Caller(OAUTH_TOKENS.get(token), "preference-test", List.of("app"));
        }
        String[] parts = token.split("\\.");
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(keys.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            if (rsa.verify(Base64.getUrlDecoder().decode(parts[2]))
                    && claims.path("exp").asLong() > Instant.now().getEpochSecond()) {
                List<String> roles = new ArrayList<>();
                claims.path("groups").forEach(g -> roles.add(g.asText()));
                return new Caller(claims.path("tenant").asText(), claims.path("sub").asText(), roles);
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // not a token of ours
        }
        answer(exchange, 401, "{\"type\":\"https://samtykke.io/problems/unauthorized\",\"status\":401}");
        return null;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
