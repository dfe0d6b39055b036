package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The signed links of preference-service's emails (RFC 8058 one-click unsubscribe and the preference center page) on
 * the shared cluster, attacked as someone holding a link would: the signature damaged, the payload edited without the
 * key (another list, a later expiry), the subject of the attacker's own valid link swapped for the victim's, a link
 * signed with another key, the signature stripped, a page link used for one-click and the other way round, and a
 * link signed with the cluster's own key but already expired. Each is refused with the page the service answers for
 * a bad link (403 not valid, 410 expired; HTML, as a person opens these from an email), which shows nothing of the
 * person, and nothing changed: the victim's consents in consent-service, preferences and decision in
 * preference-service read the same, and the audit log gets nothing for them until the valid links are used after
 * the attacks, whose two changes are then exactly what it gets. The links the attacks started from, and a link the
 * test signs the way it signed the expired ones, must work: otherwise a refusal could mean the test's requests were
 * broken rather than the links.
 * <p>
 * What "replay" means here: a link needs no lookup (the design: signed, expiring, no login), so it is a bearer link
 * until it expires, not a one-time token. Used again it does the same again: the person stays withdrawn (consent-service
 * records the withdrawal again, by the person) and nothing else changes; used after the person granted again it
 * withdraws again, as the unsubscribe link of an old email must.
 */
class SignedLinkAttackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String NOT_VALID = "This link is not valid.";
    private static final String EXPIRED = "This link has expired.";

    private static Cluster cluster;
    private static String tenant;

    /** A request with a link, as a mail provider or browser makes it, and the status and words its answer must have. */
    private record LinkUse(String what, String method, String path, String form, int status, String message) {
    }

    @BeforeAll
    static void tenant() throws Exception {
        cluster = Cluster.shared();
        tenant = "links-" + UUID.randomUUID().toString().substring(0, 6);
        String admin = token("admin");
        ok(cluster.send("consent-service", "PUT", "/v1/purposes/newsletter", admin, "{\"names\":{\"en\":\"Newsletter\","
                + "\"da\":\"Nyhedsbrev\"},\"channel\":\"EMAIL\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}"), 201);
        ok(cluster.send("consent-service", "POST", "/v1/purposes/newsletter/notices", admin,
                "{\"version\":\"v1\",\"language\":\"en\",\"text\":\"Yes to the newsletter.\"}"), 201);
    }

    @Test
    void tamperedSwappedForgedAndExpiredLinksAreRefusedAndChangeNothing() throws Exception {
        grant("anna");
        grant("bo");
        ok(cluster.send("preference-service", "PUT", "/v1/topics/ride-offers", token("admin"),
                "{\"names\":{\"en\":\"Ride offers\"},\"purpose\":\"newsletter\"}"), 201);
        ok(cluster.send("preference-service", "PUT", "/v1/subjects/anna/preferences", token("app"),
                "{\"topics\":[\"ride-offers\"]}"), 200);
        JsonNode anna = links("anna", "{\"purpose\":\"newsletter\"}");
        JsonNode bo = links("bo", "{\"purpose\":\"newsletter\"}");
        JsonNode boAll = links("bo", "{}");
        String annaPage = EmailLinks.token(anna.path("preferenceCenter").asText());
        String annaUnsubscribe = EmailLinks.token(anna.path("unsubscribe").asText());
        List<LinkUse> attacks = attacks(annaPage, annaUnsubscribe, bo, boAll);

        // the setup's own changes in the audit log first, so that nothing of it can arrive after the "before"
        awaitLogged("anna", 2);
        awaitLogged("bo", 1);
        Person annaBefore = person("anna");
        Person boBefore = person("bo");
        List<String> failures = new ArrayList<>();
        for (LinkUse attack : attacks) {
            HttpResponse<String> r = send(attack);
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (r.statusCode() != attack.status() || !type.startsWith("text/html") || !r.body().contains(attack.message())
                    || r.body().contains("anna") || r.body().contains("Newsletter") || r.body().contains("Ride offers")) {
                failures.add(attack.what() + " (" + attack.method() + " " + attack.path().replaceAll("(/unsubscribe/|\\?).*", "$1…") + "): "
                        + r.statusCode() + " " + type + " " + r.body());
            }
        }
        assertEquals(List.of(), failures, "refused with the bad-link page, showing nothing of the person");
        assertEquals(annaBefore, person("anna"), "the refused links changed nothing of anna");
        assertEquals(boBefore, person("bo"), "the refused links changed nothing of bo");

        // the controls: links made the same way, but whole, work
        expect(pageGet("page link for anna signed by the test with the cluster's key", EmailLinks.sign(cluster.linkKey(),
                EmailLinks.payload(tenant, "anna", "PAGE", null, Instant.now().plusSeconds(3600).getEpochSecond())), 200, "Ride offers"));
        for (JsonNode own : List.of(bo, boAll)) {
            expect(pageGet("bo's page link", EmailLinks.token(own.path("preferenceCenter").asText()), 200, "Newsletter"));
        }
        expect(pagePost("anna's page link", annaPage, "unsubscribe-topic&topic=ride-offers", 200, "you no longer follow"));
        expect(oneClick("anna's unsubscribe link", annaUnsubscribe, 200, "You are unsubscribed."));

        JsonNode withdrawal = lastRecord("anna");
        assertEquals("WITHDRAW", withdrawal.path("action").asText());
        assertEquals("one-click-unsubscribe", withdrawal.at("/source/collectionPoint").asText());
        assertEquals(annaBefore.subjectSeq() + 1, withdrawal.path("subjectSeq").asLong(), "one change in consent-service: the valid link's");
        awaitDecision("anna", "DENY");
        JsonNode preferences = JSON.readTree(ok(cluster.send("preference-service", "GET", "/v1/subjects/anna/preferences", token("app"), null), 200));
        assertEquals(0, preferences.path("topics").size(), preferences.toString());

        // the same person's events reach the log in order: once the valid links' two are in, an attack's would be too
        List<String> expected = new ArrayList<>(annaBefore.logged());
        List<String> logged = awaitLogged("anna", expected.size() + 2);
        expected.addAll(List.of("io.samtykke.preference.updated.v1", "io.samtykke.consent.withdrawn.v1"));
        assertEquals(expected.stream().sorted().toList(), logged.stream().sorted().toList(),
                "the audit log holds the valid links' two changes for anna and nothing of the attacks");
        System.out.printf("signed links: %d attacks refused (403/410 HTML, nothing of the person shown), nothing changed; "
                + "the valid links then made exactly their two changes%n", attacks.size());
    }

    @Test
    void aUsedUnsubscribeLinkUsedAgainDoesTheSameAgain() throws Exception {
        grant("cy");
        String link = EmailLinks.token(links("cy", "{\"purpose\":\"newsletter\"}").path("unsubscribe").asText());
        LinkUse oneClick = oneClick("cy's unsubscribe link", link, 200, "You are unsubscribed.");
        expect(oneClick);
        awaitDecision("cy", "DENY");
        long firstSeq = lastRecord("cy").path("subjectSeq").asLong();

        expect(oneClick);
        JsonNode state = JSON.readTree(ok(cluster.send("consent-service", "GET", "/v1/subjects/cy/consents", token("app"), null), 200));
        assertEquals(1, state.path("consents").size(), state.toString());
        assertEquals("WITHDRAWN", state.at("/consents/0/state").asText(), "still withdrawn, nothing else");
        JsonNode history = JSON.readTree(ok(cluster.send("consent-service", "GET", "/v1/subjects/cy/consents/history", token("app"), null), 200));
        for (JsonNode r : history.path("records")) {
            if (r.path("subjectSeq").asLong() >= firstSeq) {
                assertEquals("WITHDRAW", r.path("action").asText(), r.toString());
                assertEquals("SUBJECT", r.at("/actor/type").asText(), r.toString());
            }
        }
        assertEquals("DENY", awaitDecision("cy", "DENY").path("decision").asText());

        grant("cy");
        expect(oneClick); // the link of an old email still unsubscribes, until it expires
        JsonNode withdrawnAgain = lastRecord("cy");
        assertEquals("WITHDRAW", withdrawnAgain.path("action").asText());
        assertEquals("WITHDRAWN", withdrawnAgain.path("state").asText());
        assertEquals("one-click-unsubscribe", withdrawnAgain.at("/source/collectionPoint").asText());
        awaitDecision("cy", "DENY");
    }

    /**
     * The bad links, each with every use: anna's and bo's issued links damaged or edited without the key, bo's with
     * anna as subject, links signed with another key, anna's links used for the other kind, and expired ones signed
     * with the cluster's key.
     */
    private static List<LinkUse> attacks(String annaPage, String annaUnsubscribe, JsonNode bo, JsonNode boAll) {
        List<LinkUse> attacks = new ArrayList<>();
        long inAnHour = Instant.now().plusSeconds(3600).getEpochSecond();
        long aMinuteAgo = Instant.now().minusSeconds(60).getEpochSecond();
        for (Map.Entry<String, String> issued : Map.of("anna's page", annaPage, "anna's unsubscribe", annaUnsubscribe,
                "bo's page", EmailLinks.token(bo.path("preferenceCenter").asText())).entrySet()) {
            String label = issued.getKey();
            String link = issued.getValue();
            int inSignature = link.indexOf('.') + 6;
            String flipped = link.substring(0, inSignature) + (link.charAt(inSignature) == 'A' ? 'B' : 'A') + link.substring(inSignature + 1);
            addEveryUse(attacks, label + " link, one signature character changed", flipped, 403, NOT_VALID);
            addEveryUse(attacks, label + " link, signature stripped", link.substring(0, link.indexOf('.') + 1), 403, NOT_VALID);
            addEveryUse(attacks, label + " link, payload only", link.substring(0, link.indexOf('.')), 403, NOT_VALID);
            addEveryUse(attacks, label + " link, expiry moved a year on, not re-signed",
                    EmailLinks.resigned(link, EmailLinks.payload(link).put("x", inAnHour + 365 * 86_400L)), 403, NOT_VALID);
        }
        addEveryUse(attacks, "anna's unsubscribe link, list changed to everything, not re-signed",
                EmailLinks.resigned(annaUnsubscribe, EmailLinks.payload(annaUnsubscribe).put("l", "all")), 403, NOT_VALID);
        for (JsonNode own : List.of(bo, boAll)) {
            for (String field : List.of("preferenceCenter", "unsubscribe")) {
                String link = EmailLinks.token(own.path(field).asText());
                addEveryUse(attacks, "bo's " + field + " link with anna as subject, bo's signature",
                        EmailLinks.resigned(link, EmailLinks.payload(link).put("s", "anna")), 403, NOT_VALID);
            }
        }
        byte[] otherKey = Cluster.random(32);
        addEveryUse(attacks, "page link for anna signed with another key",
                EmailLinks.sign(otherKey, EmailLinks.payload(tenant, "anna", "PAGE", null, inAnHour)), 403, NOT_VALID);
        addEveryUse(attacks, "unsubscribe link for anna signed with another key",
                EmailLinks.sign(otherKey, EmailLinks.payload(tenant, "anna", "UNSUBSCRIBE", "all", inAnHour)), 403, NOT_VALID);
        addEveryUse(attacks, "anna's page link with another tenant, not re-signed",
                EmailLinks.resigned(annaPage, EmailLinks.payload(annaPage).put("t", "other-" + tenant)), 403, NOT_VALID);
        attacks.add(oneClick("anna's page link used for one-click", annaPage, 403, NOT_VALID));
        attacks.add(pageGet("anna's unsubscribe link used as page link", annaUnsubscribe, 403, NOT_VALID));
        attacks.add(pagePost("anna's unsubscribe link used as page link", annaUnsubscribe, "unsubscribe-all", 403, NOT_VALID));
        addEveryUse(attacks, "page link for anna expired a minute ago, signed with the cluster's key",
                EmailLinks.sign(cluster.linkKey(), EmailLinks.payload(tenant, "anna", "PAGE", null, aMinuteAgo)), "PAGE", 410, EXPIRED);
        addEveryUse(attacks, "unsubscribe link for anna (newsletter) expired a minute ago, signed with the cluster's key",
                EmailLinks.sign(cluster.linkKey(), EmailLinks.payload(tenant, "anna", "UNSUBSCRIBE", "purpose:newsletter", aMinuteAgo)), "UNSUBSCRIBE", 410, EXPIRED);
        addEveryUse(attacks, "unsubscribe link for anna (everything) expired a second ago, signed with the cluster's key",
                EmailLinks.sign(cluster.linkKey(), EmailLinks.payload(tenant, "anna", "UNSUBSCRIBE", "all", Instant.now().minusSeconds(1).getEpochSecond())),
                "UNSUBSCRIBE", 410, EXPIRED);
        return attacks;
    }

    /** What a person's links could change, read through the services: consents, preferences, decision, audit entries. */
    private record Person(long subjectSeq, String consents, String preferences, String preferencesEtag, String decision,
                          List<String> logged) {
    }

    private static Person person(String subject) throws Exception {
        JsonNode consents = JSON.readTree(ok(cluster.send("consent-service", "GET", "/v1/subjects/" + subject + "/consents", token("app"), null), 200));
        HttpResponse<String> preferences = cluster.send("preference-service", "GET", "/v1/subjects/" + subject + "/preferences", token("app"), null);
        ok(preferences, 200);
        return new Person(consents.path("subjectSeq").asLong(), consents.path("consents").toString(), preferences.body(),
                preferences.headers().firstValue("ETag").orElse(""), decision(subject).toString(), auditTypes(subject));
    }

    private static void addEveryUse(List<LinkUse> attacks, String what, String link, int status, String message) {
        addEveryUse(attacks, what, link, null, status, message);
    }

    /**
     * {@code link} used for one-click and on the page (shown, and each action); where it is not for {@code use}
     * (PAGE or UNSUBSCRIBE; null: every use) the refusal is 403, since the use is checked before the expiry.
     */
    private static void addEveryUse(List<LinkUse> attacks, String what, String link, String use, int status, String message) {
        boolean unsubscribe = use == null || use.equals("UNSUBSCRIBE");
        boolean page = use == null || use.equals("PAGE");
        attacks.add(oneClick(what, link, unsubscribe ? status : 403, unsubscribe ? message : NOT_VALID));
        attacks.add(pageGet(what, link, page ? status : 403, page ? message : NOT_VALID));
        for (String action : List.of("withdraw&purpose=newsletter", "unsubscribe-topic&topic=ride-offers", "unsubscribe-all")) {
            attacks.add(pagePost(what, link, action, page ? status : 403, page ? message : NOT_VALID));
        }
    }

    private static LinkUse oneClick(String what, String link, int status, String message) {
        return new LinkUse(what, "POST", "/unsubscribe/" + link, "List-Unsubscribe=One-Click", status, message);
    }

    private static LinkUse pageGet(String what, String link, int status, String message) {
        return new LinkUse(what, "GET", "/preferences?token=" + URLEncoder.encode(link, StandardCharsets.UTF_8), null, status, message);
    }

    private static LinkUse pagePost(String what, String link, String action, int status, String message) {
        return new LinkUse(what, "POST", "/preferences", "token=" + URLEncoder.encode(link, StandardCharsets.UTF_8) + "&action=" + action,
                status, message);
    }

    /** The request as a mail provider (one-click) or a browser (the page) sends it: no token, no cookies. */
    private static HttpResponse<String> send(LinkUse attack) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder();
        if (attack.form() == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(attack.form()));
        }
        return cluster.send("preference-service", attack.path(), request, null);
    }

    /** Sends {@code use} and checks its answer's status and words. */
    private static void expect(LinkUse use) throws Exception {
        HttpResponse<String> r = send(use);
        assertEquals(use.status(), r.statusCode(), use.what() + ": " + r.body());
        assertTrue(r.body().contains(use.message()), use.what() + ": " + r.body());
    }

    private static void grant(String subject) throws Exception {
        ok(cluster.send("consent-service", "POST", "/v1/subjects/" + subject + "/consents", token("app"),
                "{\"changes\":[{\"purpose\":\"newsletter\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 201);
        awaitDecision(subject, "ALLOW");
    }

    private static JsonNode links(String subject, String body) throws Exception {
        return JSON.readTree(ok(cluster.send("preference-service", "POST", "/v1/subjects/" + subject + "/links", token("marketing"), body), 200));
    }

    private static JsonNode lastRecord(String subject) throws Exception {
        JsonNode records = JSON.readTree(ok(cluster.send("consent-service", "GET",
                "/v1/subjects/" + subject + "/consents/history?order=desc&limit=1", token("app"), null), 200)).path("records");
        return records.get(0);
    }

    private static JsonNode decision(String subject) throws Exception {
        return JSON.readTree(ok(cluster.send("preference-service", "POST", "/v1/decisions", token("marketing"),
                "{\"channel\":\"EMAIL\",\"purpose\":\"newsletter\",\"subjectId\":\"" + subject + "\"}"), 200)).path("decisions").get(0);
    }

    private static JsonNode awaitDecision(String subject, String verdict) {
        return await(subject + "'s decision is " + verdict).atMost(PATIENCE).pollInterval(Duration.ofMillis(50))
                .until(() -> decision(subject), d -> verdict.equals(d.path("decision").asText()));
    }

    /** The types of the person's entries in the audit log, once there are at least {@code entries}. */
    private static List<String> awaitLogged(String subject, int entries) {
        return await(entries + " entries for " + subject + " in the audit log").atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> auditTypes(subject), l -> l.size() >= entries);
    }

    /** The types of the person's entries in the tenant's audit log. */
    private static List<String> auditTypes(String subject) throws Exception {
        JsonNode page = JSON.readTree(ok(cluster.send("audit-service", "GET", "/v1/entries?limit=500&subject=" + subject, token("auditor"), null), 200));
        List<String> types = new ArrayList<>();
        page.path("entries").forEach(e -> types.add(e.path("type").asText()));
        return types;
    }

    private static String token(String role) {
        return Invariants.token(cluster, tenant, role);
    }

    private static String ok(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
        return r.body();
    }
}
