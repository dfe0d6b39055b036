package io.samtykke.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.testsupport.Tokens;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.samtykke.system.ApiDocument.Operation;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three services as real processes, asked by every operation their OpenAPI documents mark as secured, with
 * every kind of token an attacker or a broken client sends: none, garbage, expired, not yet valid, another issuer,
 * another audience, signed by a foreign key, {@code alg: none}, claims edited without re-signing, and the
 * RS256→HS256 key confusion. Each must answer 401 with a problem+json body and {@code WWW-Authenticate: Bearer}.
 * The operations come from the running services' {@code /q/openapi}, so a new endpoint is covered without edits.
 * A control token made by the same code with nothing wrong is accepted, so a refusal is the defect's doing.
 */
class TokenAttackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "token-attack";

    private static Cluster cluster;

    @BeforeAll
    static void cluster() throws Exception {
        cluster = Cluster.shared();
    }

    private static JwtClaimsBuilder claims(String... roles) {
        return Cluster.claims(TENANT, "attacker", roles);
    }

    private static String signed(JwtClaimsBuilder claims) {
        return cluster.sign(claims);
    }

    /** The attacks: a name and the Authorization header value (null: none sent). */
    private static Map<String, String> attacks() throws Exception {
        Map<String, String> attacks = new LinkedHashMap<>();
        attacks.put("no token", null);
        attacks.put("garbage", "Bearer not-a-jwt");
        attacks.put("empty bearer", "Bearer ");
        attacks.put("basic auth", "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)));
        attacks.put("expired", "Bearer " + signed(claims("admin").issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600))));
        attacks.put("not yet valid", "Bearer " + signed(claims("admin").claim("nbf", Instant.now().plusSeconds(3600).getEpochSecond())));
        attacks.put("another issuer", "Bearer " + signed(claims("admin").issuer("https://evil.example/issuer")));
        attacks.put("another audience", "Bearer " + signed(claims("admin").audience("https://elsewhere.example")));
        var foreign = Tokens.inFolder(Files.createTempDirectory("foreign-keys"));
        attacks.put("foreign key", "Bearer " + foreign.mint(TENANT, "attacker", "admin"));
        String valid = signed(claims("app"));
        String[] parts = valid.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        attacks.put("alg none", "Bearer " + b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".");
        attacks.put("alg none, no dot", "Bearer " + b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1]);
        String escalated = payload.replace("\"app\"", "\"admin\"");
        assertTrue(!escalated.equals(payload), "the role claim is in the payload: " + payload);
        attacks.put("role edited, not re-signed", "Bearer " + parts[0] + "." + b64(escalated) + "." + parts[2]);
        String otherTenant = payload.replace("\"" + TENANT + "\"", "\"" + TENANT + "-other\"");
        attacks.put("tenant edited, not re-signed", "Bearer " + parts[0] + "." + b64(otherTenant) + "." + parts[2]);
        attacks.put("signature stripped", "Bearer " + parts[0] + "." + parts[1] + ".");
        // RS256→HS256 confusion: an HMAC keyed with the service's public key, which anyone can read
        String hsHeader = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"samtykke-dev\"}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(cluster.tokens.publicKey().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
        String signingInput = hsHeader + "." + parts[1];
        attacks.put("HS256 with the public key", "Bearer " + signingInput + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII))));
        return attacks;
    }

    @Test
    void everySecuredOperationRefusesEveryInvalidTokenWith401() throws Exception {
        // the control: a token made by this test's own code, with nothing wrong, is accepted by each service
        String control = "Bearer " + signed(claims("admin", "auditor"));
        Map<String, String> readable = Map.of("consent-service", "/v1/purposes", "preference-service", "/v1/topics",
                "audit-service", "/v1/entries");
        for (var e : readable.entrySet()) {
            HttpResponse<String> ok = send(new Operation(e.getKey(), "GET", e.getValue(), true, java.util.Set.of(), List.of(), null, false, false), control);
            assertEquals(200, ok.statusCode(), e + " with a valid token: " + ok.body());
        }

        List<Operation> operations = securedOperations();
        Map<String, String> attacks = attacks();
        List<String> failures = new ArrayList<>();
        int requests = 0;
        for (Operation op : operations) {
            for (var attack : attacks.entrySet()) {
                HttpResponse<String> r = send(op, attack.getValue());
                requests++;
                String contentType = r.headers().firstValue("Content-Type").orElse("");
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                if (r.statusCode() != 401 || !contentType.startsWith("application/problem+json") || !challenge.startsWith("Bearer")
                        || !"https://samtykke.io/problems/unauthorized".equals(JSON.readTree(r.body()).path("type").asText())) {
                    failures.add(op + " with " + attack.getKey() + ": " + r.statusCode() + " " + contentType + " ["
                            + challenge + "] " + r.body());
                }
            }
        }
        System.out.printf("token attacks: %d secured operations x %d attacks = %d requests, %d not refused properly%n",
                operations.size(), attacks.size(), requests, failures.size());
        assertEquals(List.of(), failures);
    }

    /** Every operation of every service whose OpenAPI document asks for the bearer token. */
    private static List<Operation> securedOperations() throws Exception {
        List<Operation> operations = new ArrayList<>();
        for (String service : List.of("consent-service", "preference-service", "audit-service")) {
            List<Operation> secured = ApiDocument.of(service, cluster.service(service).url("")).operations().stream()
                    .filter(Operation::secured).toList();
            assertTrue(secured.size() >= 5, service + " documents its secured operations: " + secured);
            operations.addAll(secured);
        }
        return operations;
    }

    /** {@code op} with the attack's Authorization header (none when null), a JSON body "{}" where it takes one. */
    private static HttpResponse<String> send(Operation op, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        switch (op.method()) {
            case "GET" -> b.GET();
            case "DELETE" -> b.DELETE();
            default -> b.header("Content-Type", "application/json").method(op.method(), HttpRequest.BodyPublishers.ofString("{}"));
        }
        return cluster.send(op.service(), op.path().replaceAll("\\{[^}]+}", "attack-1"), b, null);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

}
