package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.audit.verifier.ExportVerifier;
import io.samtykke.audit.verifier.NoteKey;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.EventContract;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 001 Mileage Book, "Ret til sletning" (GDPR Art. 17, 19): "Hvis Mileage Book er forpligtet til at slette dine
 * personoplysninger, er vi også forpligtet til at give besked til tredjemænd" and "Har du en FREE konto, sletter vi din
 * konto inkl. dine personoplysninger efter 12 måneder inaktivitet". Over HTTP and Kafka only: a driver's erasure
 * request, completed by the DPO, leaves nothing personal readable in any service, tells marketing tools and every
 * webhook subscriber, keeps the audit log verifiable, and closes the door to re-subscribing the person by import; the
 * inactivity retention (here 6 s instead of 12 months, on a cluster of its own) erases a dormant driver, not an active one.
 */
class MileageBookScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TENANT = "mileage-book-" + RUN;
    /** The FREE accounts' tenant, with the inactivity retention (6 s standing in for 12 months). */
    private static final String FREE = "mileage-free-" + RUN;
    private static final Duration INACTIVITY = Duration.ofSeconds(6);
    private static final String ERASED = "io.samtykke.subject.erased.v1";

    @AutoClose
    private static Cluster cluster;
    @AutoClose
    private static WebhookReceiver receiver;

    @BeforeAll
    static void start() throws Exception {
        // a cluster of its own: the inactivity retention is a per-tenant setting, and the webhook receiver listens on
        // 127.0.0.1, which production settings refuse (SSRF protection)
        cluster = Cluster.start("mileage", Map.of(), Map.of(
                "consent-service", Map.of(
                        "samtykke.retention.tenants.\"" + FREE + "\".erase-inactive-after", INACTIVITY.toString(),
                        "samtykke.retention.inactivity-interval", "PT1S"),
                "preference-service", Map.of("samtykke.webhooks.allow-private-networks", "true")));
        receiver = WebhookReceiver.verifying();
    }

    @Test
    void anErasureRequestLeavesNothingPersonalTellsEveryRecipientAndCannotBeUndoneByAnImport() throws Exception {
        String driver = "chauffoer-" + RUN;
        String colleague = "kollega-" + RUN;
        String email = driver + "@firma.example";
        String admin = token(TENANT, "admin-1", "admin");
        String app = token(TENANT, "mileage-app", "app");
        String marketing = token(TENANT, "crm", "marketing");
        String dpo = token(TENANT, "dpo-1", "dpo");
        String auditor = token(TENANT, "auditor-1", "auditor");
        purpose(admin, "nyhedsbrev", "CONSENT", "MARKETING");
        purpose(admin, "politik-mails", "CONTRACT", "SERVICE_MESSAGES");
        // a recipient that asked only for grants: an erasure reaches it all the same (Art. 19)
        JsonNode subscription = ok(cluster.send("preference-service", "POST", "/v1/webhooks", marketing,
                "{\"url\":\"" + receiver.url() + "\","
                        + "\"eventTypes\":[\"io.samtykke.consent.granted.v1\"]}"), 201);
        receiver.verifyWith(subscription.path("secret").asText());

        QuietWindow quiet = QuietWindow.awayFromNow();
        for (String person : List.of(driver, colleague)) {
            ok(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                            + "\"identifiers\":[{\"type\":\"EMAIL\",\"value\":\"" + person + "@firma.example\"}],"
                            + "\"evidence\":{\"ipAddress\":\"192.0.2.17\",\"userAgent\":\"MileageBook/5.1 (iPhone)\"}}"), 201);
            ok(cluster.send("preference-service", "PUT", "/v1/subjects/" + person + "/preferences", app,
                    "{" + quiet.json() + ",\"preferredChannel\":\"EMAIL\"}"), 200);
        }
        awaitDecision(marketing, "nyhedsbrev", driver, "ALLOW", "CONSENT_GRANTED");
        await("the driver's consent and preferences in the audit log, readable").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> entries(auditor, "&subject=" + driver), e -> e.size() == 2
                        && e.stream().allMatch(x -> driver.equals(x.path("subjectId").asText()) && !x.path("erased").asBoolean()));
        await("the driver's grant delivered to the webhook").atMost(PATIENCE)
                .until(() -> receiver.deliveries().stream().anyMatch(d -> driver.equals(d.json().at("/data/subjectId").asText())));

        // the driver asks for their account to be deleted; the DPO completes the request
        JsonNode filed = ok(cluster.send("consent-service", "POST", "/v1/subjects/" + driver + "/requests",
                token(TENANT, driver, "subject"), "{\"type\":\"ERASURE\",\"details\":\"Slet min konto, " + email + "\"}"), 201);
        String requestId = filed.path("id").asText();
        ok(cluster.send("consent-service", "POST", "/v1/requests/" + requestId + "/status", dpo,
                "{\"status\":\"COMPLETED\",\"reason\":\"Kontoen slettet efter anmodning\"}"), 200);
        JsonNode request = ok(cluster.send("consent-service", "GET", "/v1/requests/" + requestId, dpo, null), 200);
        assertEquals("COMPLETED", request.path("status").asText());
        assertTrue(request.path("subjectId").asText().startsWith("~erased:"), "the proof names a stand-in: " + request);
        assertFalse(request.toString().contains(driver) || request.toString().contains(email), request.toString());

        // marketing tools: the erased event on the subject events and the opt-outs topic
        String erasedId;
        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS);
             TopicReader optOuts = new TopicReader(Topics.CONSENT_OPTOUTS)) {
            List<SubjectEvent> steps = subjectEvents.await(r -> (TENANT + "/" + driver).equals(r.key()), 3, PATIENCE)
                    .stream().map(EventContract::assertSubjectEvent).toList();
            assertEquals(List.of(SubjectEventType.REQUEST_RECEIVED, SubjectEventType.REQUEST_COMPLETED, SubjectEventType.ERASED),
                    steps.stream().map(SubjectEvent::change).toList());
            SubjectEvent erased = steps.get(2);
            assertEquals(driver, erased.subjectId());
            assertEquals(requestId, erased.request().requestId().toString());
            erasedId = erased.eventId().toString();
            ConsumerRecord<String, byte[]> out = optOuts.await(r -> (TENANT + "/" + driver).equals(r.key())
                    && ERASED.equals(header(r, "ce_type")), 1, PATIENCE).get(0);
            assertEquals(erased, EventContract.assertSubjectEvent(out), "the same event on the opt-outs topic");
        }

        // third parties are told: the webhook receiver gets the erased event, signed
        WebhookReceiver.Delivery told = receiver.awaitDelivery(erasedId, PATIENCE);
        assertTrue(told.verified(), "signed per Standard Webhooks with the subscription's secret");
        assertEquals(ERASED, told.json().path("type").asText());
        assertEquals(driver, told.json().at("/data/subjectId").asText());

        // consent-service: nothing about the person is readable any more
        assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + driver + "/consents", app, null), 200).path("consents").size());
        assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + driver + "/consents/history", dpo, null), 200).path("records").size());
        assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + driver + "/identifiers", dpo, null), 200).path("identifiers").size());
        assertEquals(1, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + colleague + "/consents", app, null), 200).path("consents").size(),
                "the colleague is untouched");

        // an import cannot re-subscribe the person: not under the erased id, not with the erased address under a new id
        String newId = driver + "-ny";
        problem(cluster.send("consent-service", "POST", "/v1/subjects/" + driver + "/consents", app,
                "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 409, "subject-erased");
        problem(cluster.send("consent-service", "POST", "/v1/subjects/" + newId + "/consents", app,
                "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                        + "\"identifiers\":[{\"type\":\"EMAIL\",\"value\":\" " + email.toUpperCase() + "\"}]}"), 409, "subject-erased");
        problem(cluster.send("consent-service", "PUT", "/v1/subjects/" + colleague + "/identifiers", app,
                "[{\"type\":\"EMAIL\",\"value\":\"" + email + "\"}]"), 409, "subject-erased");
        for (String person : List.of(driver, newId)) {
            assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + person + "/consents", app, null), 200).path("consents").size());
            assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + person + "/identifiers", app, null), 200).path("identifiers").size());
        }
        JsonNode colleagueIds = ok(cluster.send("consent-service", "GET", "/v1/subjects/" + colleague + "/identifiers", app, null), 200).path("identifiers");
        assertEquals(1, colleagueIds.size(), colleagueIds.toString());
        assertEquals(colleague + "@firma.example", colleagueIds.at("/0/value").asText());

        // preference-service: every decision about the person denies, service mails too; their preferences are gone
        awaitDecision(marketing, "nyhedsbrev", driver, "DENY", "ERASED");
        awaitDecision(marketing, "politik-mails", driver, "DENY", "ERASED");
        awaitDecision(marketing, "nyhedsbrev", colleague, "ALLOW", "CONSENT_GRANTED");
        JsonNode preferences = ok(cluster.send("preference-service", "GET", "/v1/subjects/" + driver + "/preferences", app, null), 200);
        assertFalse(preferences.toString().contains("22:00"), "the driver's preferences are deleted: " + preferences);

        // audit-service: the person's entries stay as evidence but read erased; the log still verifies offline
        List<JsonNode> drivers = await("the erasure in the audit log").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> entries(auditor, "&subject=" + driver), e -> e.stream().anyMatch(x -> ERASED.equals(x.path("type").asText())));
        Set<String> types = new HashSet<>();
        for (JsonNode entry : drivers) {
            types.add(entry.path("type").asText());
            assertTrue(entry.path("erased").asBoolean(), entry.toString());
            assertEquals("erased", entry.path("subjectId").asText(), entry.toString());
            assertFalse(entry.toString().contains(driver) || entry.toString().contains(email), entry.toString());
        }
        assertTrue(types.containsAll(Set.of("io.samtykke.consent.granted.v1", "io.samtykke.preference.updated.v1",
                "io.samtykke.subject.request-received.v1",
                "io.samtykke.subject.request-completed.v1", ERASED)), types.toString());
        JsonNode colleagues = entries(auditor, "&subject=" + colleague).get(0);
        assertEquals(colleague, colleagues.path("subjectId").asText(), "only the driver reads erased");
        assertFalse(colleagues.path("erased").asBoolean());

        NoteKey key = NoteKey.verifier(body(cluster.send("audit-service", "GET", "/v1/public-key", auditor, null)));
        AtomicReference<String> export = new AtomicReference<>();
        AtomicReference<ExportVerifier.Result> verified = new AtomicReference<>();
        AtomicReference<Integer> logged = new AtomicReference<>();
        await("a signed checkpoint over the whole log").atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
            export.set(body(cluster.send("audit-service", "GET", "/v1/export?format=ndjson", auditor, null)));
            verified.set(new ExportVerifier(key, null).verify(new BufferedReader(new StringReader(export.get()))));
            logged.set(entries(auditor, "").size());
            return verified.get().valid() && verified.get().entries() == logged.get();
        });
        assertTrue(verified.get().valid(), verified.get().message());
        assertFalse(export.get().contains(driver) || export.get().contains(email), "nothing of the driver in the export");
        System.out.printf("audit export of %d entries verifies after the erasure; %d of them the driver's, all erased%n",
                logged.get(), drivers.size());
    }

    @Test
    void theInactivityRetentionErasesADormantFreeAccountButNotAnActiveOne() throws Exception {
        String dormant = "sovende-" + RUN;
        String active = "aktiv-" + RUN;
        String admin = token(FREE, "admin-1", "admin");
        String app = token(FREE, "mileage-app", "app");
        purpose(admin, "nyhedsbrev", "CONSENT", "MARKETING");
        Instant granted = Instant.now();
        for (String person : List.of(dormant, active)) {
            ok(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                            + "\"identifiers\":[{\"type\":\"EMAIL\",\"value\":\"" + person + "@free.example\"}]}"), 201);
        }

        // the active driver changes their mind every second; the dormant one does nothing
        boolean grant = false;
        Instant deadline = granted.plus(INACTIVITY).plus(PATIENCE);
        while (consents(app, dormant) > 0) {
            assertTrue(Instant.now().isBefore(deadline), "the dormant driver was not erased in time");
            ok(cluster.send("consent-service", "POST", "/v1/subjects/" + active + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"" + (grant ? "GRANT" : "WITHDRAW")
                            + "\",\"noticeVersion\":\"v1\"}]}"), 201);
            grant = !grant;
            Thread.sleep(1000);
        }
        Duration after = Duration.between(granted, Instant.now());
        System.out.printf("the dormant driver erased %d ms after their last activity (period %s)%n", after.toMillis(), INACTIVITY);
        assertTrue(after.compareTo(INACTIVITY) >= 0, "not before the period: " + after);
        assertEquals(1, consents(app, active), "the active driver is kept");
        assertEquals(1, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + active + "/identifiers", app, null), 200)
                .path("identifiers").size());
        assertEquals(0, ok(cluster.send("consent-service", "GET", "/v1/subjects/" + dormant + "/identifiers", app, null), 200)
                .path("identifiers").size());
        problem(cluster.send("consent-service", "POST", "/v1/subjects/" + dormant + "/consents", app,
                "{\"changes\":[{\"purpose\":\"nyhedsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 409, "subject-erased");

        // the system opened and completed one ERASURE request, as evidence, naming a stand-in
        JsonNode requests = ok(cluster.send("consent-service", "GET", "/v1/requests?type=ERASURE", token(FREE, "dpo-1", "dpo"), null), 200)
                .path("requests");
        assertEquals(1, requests.size(), requests.toString());
        assertEquals("COMPLETED", requests.at("/0/status").asText());
        assertTrue(requests.at("/0/subjectId").asText().startsWith("~erased:"), requests.toString());
        try (TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS)) {
            SubjectEvent erased = EventContract.assertSubjectEvent(subjectEvents.await(r -> (FREE + "/" + dormant).equals(r.key())
                    && ERASED.equals(header(r, "ce_type")), 1, PATIENCE).get(0));
            assertEquals(ActorType.SYSTEM, erased.evidence().actor().type());
            assertEquals("inactivity-retention", erased.evidence().actor().id());
        }
        awaitDecision(token(FREE, "crm", "marketing"), "nyhedsbrev", dormant, "DENY", "ERASED");
    }

    private static int consents(String app, String person) throws Exception {
        return ok(cluster.send("consent-service", "GET", "/v1/subjects/" + person + "/consents", app, null), 200).path("consents").size();
    }

    private static void purpose(String admin, String key, String basis, String category) throws Exception {
        ok(cluster.send("consent-service", "PUT", "/v1/purposes/" + key, admin, "{\"names\":{\"da\":\"" + key + "\"},"
                + "\"channel\":\"EMAIL\",\"legalBasis\":\"" + basis + "\",\"category\":\"" + category + "\"}"), 201);
        ok(cluster.send("consent-service", "POST", "/v1/purposes/" + key + "/notices", admin,
                "{\"version\":\"v1\",\"language\":\"da\",\"text\":\"Mileage Book: " + key + ".\"}"), 201);
    }

    private static void awaitDecision(String marketing, String purpose, String person, String verdict, String reason) {
        await(purpose + " for " + person + ": " + verdict + " " + reason).atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> ok(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
                                "{\"channel\":\"EMAIL\",\"purpose\":\"" + purpose + "\",\"subjectIds\":[\"" + person + "\"]}"), 200)
                                .path("decisions").path(0),
                        d -> verdict.equals(d.path("decision").asText()) && d.path("reasons").findValuesAsText("code").contains(reason));
    }

    private static List<JsonNode> entries(String auditor, String filter) throws Exception {
        List<JsonNode> entries = new ArrayList<>();
        ok(cluster.send("audit-service", "GET", "/v1/entries?limit=500" + filter, auditor, null), 200)
                .path("entries").forEach(entries::add);
        return entries;
    }

    private static String token(String tenant, String subject, String role) {
        return cluster.sign(Cluster.claims(tenant, subject, role));
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String body(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static JsonNode ok(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.request().method() + " " + response.request().uri() + ": " + response.body());
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private static void problem(HttpResponse<String> response, int status, String type) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("https://samtykke.io/problems/" + type, JSON.readTree(response.body()).path("type").asText());
    }
}
