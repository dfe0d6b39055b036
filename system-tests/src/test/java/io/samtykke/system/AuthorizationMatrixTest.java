package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.system.ApiDocument.Operation;
import io.samtykke.system.ApiDocument.Parameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Function- and object-level authorization (OWASP API5, API1) of every secured operation of the three services,
 * generated from their OpenAPI documents: each operation x each role x own/other tenant x own/other person.
 * <ul>
 * <li>A role the operation does not list (its security requirement's scopes) gets 403 problem+json.</li>
 * <li>A person (role {@code subject}) asking about another person gets 403 or 404, never the other's data.</li>
 * <li>A token of another tenant never sees a byte of this tenant's data (subject ids, event ids, notice text).</li>
 * <li>A valid token is never answered 401, and nothing is answered 5xx.</li>
 * </ul>
 * Destructive operations (DELETE) run last, so the reads see the data they are checked against.
 */
class AuthorizationMatrixTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ROLES = List.of("subject", "app", "admin", "auditor", "dpo", "marketing");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String OWN_TENANT = "authz-a-" + RUN;
    private static final String OTHER_TENANT = "authz-b-" + RUN;
    private static final String ALICE = "alice-" + RUN;
    private static final String BOB = "bob-" + RUN;
    private static final String NOTICE_MARKER = "notice-text-" + RUN;
    /** Evidence only a person's own consent record holds (its app id); no request of the matrix sends it. */
    private static final Map<String, String> APP_MARKERS = Map.of(ALICE, "app-of-alice-" + RUN, BOB, "app-of-bob-" + RUN);
    /** Bodies that are valid, so that a refusal is the authorization's doing; other operations get a body shaped by their schema. */
    private static final Map<String, String> VALID_BODIES = Map.of(
            "POST /v1/subjects/{subjectId}/consents", "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\","
                    + "\"noticeVersion\":\"v1\"}],\"evidence\":{\"source\":{\"appId\":\"authz-matrix\",\"platform\":\"web\","
                    + "\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}",
            "PUT /v1/subjects/{subjectId}/identifiers", "[{\"type\":\"EMAIL\",\"value\":\"PERSON@example.com\"}]",
            "PUT /v1/subjects/{subjectId}/preferences", "{\"language\":\"da\"}",
            "POST /v1/consents/query", "{\"subjectIds\":[\"PERSON\"]}",
            "POST /v1/subjects/{subjectId}/links", "{}",
            "POST /v1/decisions", "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"PERSON\"}");

    private static Cluster cluster;
    private static final Map<String, String> EVENT_IDS = new TreeMap<>();
    private static final Map<String, ApiDocument> documents = new TreeMap<>();

    @BeforeAll
    static void data() throws Exception {
        cluster = Cluster.shared();
        String admin = token(OWN_TENANT, "admin-client", "admin");
        String app = token(OWN_TENANT, "app-client", "app");
        expect(cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin,
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
        expect(cluster.send("consent-service", "POST", "/v1/purposes/newsletter/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"" + NOTICE_MARKER + "\"}"), 201);
        for (String person : List.of(ALICE, BOB)) {
            HttpResponse<String> r = expect(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],\"evidence\":{\"source\":"
                            + "{\"appId\":\"" + APP_MARKERS.get(person) + "\",\"platform\":\"web\",\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},"
                            + "\"language\":\"da\"}}"), 201);
            EVENT_IDS.put(person, JSON.readTree(r.body()).path("records").path(0).path("eventId").asText());
        }
        // wait until audit-service and the projection hold them, so that a leak would have something to leak
        String auditor = token(OWN_TENANT, "auditor-client", "auditor");
        await("the two grants reach the audit log").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                JSON.readTree(cluster.send("audit-service", "GET", "/v1/entries", auditor, null).body()).path("entries").size() >= 2);
    }

    record Request(Operation op, String role, String tenant, String target, String url, String body) {

        /** Whether the request carries a valid body (or needs none), so that only authorization can refuse it. */
        boolean valid() {
            return op.body() == null || VALID_BODIES.containsKey(op.method() + " " + op.path());
        }

        /** {@code marker} in the answer, and not just because the request itself sent it. */
        boolean leaks(HttpResponse<String> r, String marker) {
            return r.body().contains(marker) && !url.contains(marker) && (body == null || !body.contains(marker));
        }

        @Override
        public String toString() {
            return op + " as " + role + " of " + (tenant.equals(OWN_TENANT) ? "the tenant" : "another tenant") + " about "
                    + (target.equals(ALICE) ? "alice (self)" : "bob");
        }
    }

    @Test
    void everyRoleGetsWhatItsDesignedForAndNobodySeesAnothersData() throws Exception {
        List<Operation> operations = new ArrayList<>();
        for (String service : List.of("consent-service", "preference-service", "audit-service")) {
            documents.put(service, ApiDocument.of(service, cluster.service(service).url("")));
            operations.addAll(documents.get(service).operations().stream().filter(Operation::secured).toList());
        }
        operations.sort(Comparator.comparing((Operation op) -> op.method().equals("DELETE")).thenComparing(op -> !op.method().equals("GET")));
        List<String> failures = new ArrayList<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int requests = 0;
        for (Operation op : operations) {
            Set<String> allowed = op.scopes();
            assertTrue(!allowed.isEmpty(), op + " names the roles it allows in its security requirement");
            for (String role : ROLES) {
                for (String tenant : List.of(OWN_TENANT, OTHER_TENANT)) {
                    for (String target : List.of(ALICE, BOB)) {
                        Request request = request(op, role, tenant, target);
                        HttpResponse<String> r = send(request);
                        requests++;
                        String why = judge(request, allowed, r);
                        outcomes.merge(why == null ? String.valueOf(r.statusCode()) : "failed", 1, Integer::sum);
                        if (why != null) {
                            failures.add(request + ": " + why + " (" + r.statusCode() + " " + abbreviate(r.body()) + ")");
                        }
                    }
                }
            }
        }
        System.out.printf("authorization matrix: %d operations x %d roles x 2 tenants x 2 persons = %d requests; answers %s%n",
                operations.size(), ROLES.size(), requests, outcomes);
        assertEquals(List.of(), failures);
    }

    /** Null when the answer is the designed one, else what is wrong with it. */
    private static String judge(Request request, Set<String> allowed, HttpResponse<String> r) {
        int status = r.statusCode();
        if (status >= 500) {
            return "a server error";
        }
        if (status == 401) {
            return "a valid token refused as unauthenticated";
        }
        if (status >= 400 && !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return "a refusal without problem+json";
        }
        if (!allowed.contains(request.role())) {
            return status == 403 ? null : "the role is not among " + allowed + ", so 403 was due";
        }
        if (request.tenant().equals(OTHER_TENANT)) {
            for (String marker : List.of(ALICE, BOB, NOTICE_MARKER, APP_MARKERS.get(ALICE), APP_MARKERS.get(BOB),
                    EVENT_IDS.get(ALICE), EVENT_IDS.get(BOB))) {
                if (request.leaks(r, marker)) {
                    return "another tenant's data in the answer: " + marker;
                }
            }
        }
        boolean personAsksAboutAnother = request.role().equals("subject") && request.target().equals(BOB) && aboutAPerson(request.op());
        if (request.role().equals("subject")) {
            for (String marker : List.of(BOB, APP_MARKERS.get(BOB), EVENT_IDS.get(BOB))) {
                if (request.leaks(r, marker)) {
                    return "another person's data in a person's answer: " + marker;
                }
            }
        }
        if (personAsksAboutAnother) {
            return status == 403 || status == 404 || (status == 400 && !request.valid()) ? null
                    : "a person asked about another person: 403 or 404 was due";
        }
        if (status == 403) {
            return "refused, though the role is allowed " + allowed + " and the person is the caller's";
        }
        return null;
    }

    private static boolean aboutAPerson(Operation op) {
        return op.parameters().stream().anyMatch(p -> personParameter(p.name()));
    }

    private static boolean personParameter(String name) {
        return name.equals("subjectId") || name.equals("subject") || name.equals("eventId");
    }

    private static Request request(Operation op, String role, String tenant, String person) throws Exception {
        String path = op.path();
        StringBuilder query = new StringBuilder();
        for (Parameter p : op.parameters()) {
            String value = switch (p.name()) {
                case "subjectId", "subject" -> person;
                case "eventId" -> EVENT_IDS.get(person);
                case "key" -> "newsletter";
                case "index" -> "0";
                default -> "1";
            };
            if (p.in().equals("path")) {
                path = path.replace("{" + p.name() + "}", URLEncoder.encode(value, StandardCharsets.UTF_8));
            } else if (p.in().equals("query") && personParameter(p.name())) {
                query.append(query.isEmpty() ? "?" : "&").append(p.name()).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        }
        String body = null;
        if (op.body() != null) {
            String valid = VALID_BODIES.get(op.method() + " " + op.path());
            body = valid != null ? valid.replace("PERSON", person)
                    : FuzzTest.skeleton(documents.get(op.service()), op.body()).toString().replace("\"fuzz\"", "\"" + person + "\"");
        }
        return new Request(op, role, tenant, person, path + query, body);
    }

    private static HttpResponse<String> send(Request request) throws Exception {
        // a person's token names the person: alice
        String token = token(request.tenant(), request.role().equals("subject") ? ALICE : request.role() + "-client", request.role());
        return cluster.send(request.op().service(), request.op().method(), request.url(), token, request.body());
    }

    private static String token(String tenant, String subject, String role) {
        return cluster.sign(Cluster.claims(tenant, subject, role));
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
        return r;
    }

    private static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
