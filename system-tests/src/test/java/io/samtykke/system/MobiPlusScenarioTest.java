package io.samtykke.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seed 002 MobiPlus ("Man invänder mot behandling för direkt marknadsföring"; GDPR Art. 21(2)-(3)) over the whole
 * cluster, HTTP and Kafka only: a person objects once, in the app, to ALL direct marketing; every marketing purpose,
 * on every channel, including one the company creates afterwards, is denied with reason OBJECTED while service
 * messages still go out; marketing tools get the objection on the opt-outs topic; the audit log holds it; the person
 * withdraws it and marketing follows their consent again.
 */
class MobiPlusScenarioTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String TENANT = "mobiplus-" + RUN;
    private static final String PERSON = "kund-" + RUN;
    private static final String NEIGHBOUR = "granne-" + RUN;

    private static Cluster cluster;
    private static String admin;
    private static String app;
    private static String marketing;

    @BeforeAll
    static void catalog() throws Exception {
        cluster = Cluster.shared();
        admin = token("mobiplus-admin", "admin");
        app = token("mobiplus-app", "app");
        marketing = token("mobiplus-crm", "marketing");
        purpose("nyhetsbrev", "EMAIL", "CONSENT", "MARKETING");
        purpose("sms-erbjudanden", "SMS", "CONSENT", "MARKETING");
        purpose("driftmeddelanden", "EMAIL", "CONTRACT", "SERVICE_MESSAGES");
        for (String person : List.of(PERSON, NEIGHBOUR)) {
            expect(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                    "{\"changes\":[{\"purpose\":\"nyhetsbrev\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"},"
                            + "{\"purpose\":\"sms-erbjudanden\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}],"
                            + "\"evidence\":{\"source\":{\"appId\":\"mobiplus-app\",\"platform\":\"android\",\"appVersion\":\"7.0.1\","
                            + "\"collectionPoint\":\"registration\"},\"language\":\"sv\"}}"), 201);
        }
        for (String person : List.of(PERSON, NEIGHBOUR)) {
            awaitDecision("EMAIL", "nyhetsbrev", person, "ALLOW", "CONSENT_GRANTED");
            awaitDecision("SMS", "sms-erbjudanden", person, "ALLOW", "CONSENT_GRANTED");
        }
    }

    @Test
    void oneObjectionStopsAllDirectMarketingOnEveryChannelUntilThePersonWithdrawsIt() throws Exception {
        try (TopicReader optouts = new TopicReader(Topics.CONSENT_OPTOUTS);
             TopicReader subjectEvents = new TopicReader(Topics.SUBJECT_EVENTS)) {
            // the person objects in the app; the app relays it with its evidence
            HttpResponse<String> objected = expect(cluster.send("consent-service", "POST", "/v1/subjects/" + PERSON + "/objection",
                    app, "{\"evidence\":{\"source\":{\"appId\":\"mobiplus-app\",\"platform\":\"android\",\"appVersion\":\"7.0.1\","
                            + "\"collectionPoint\":\"privacy-settings\"},\"language\":\"sv\"}}"), 201);
            assertEquals("DIRECT_MARKETING", JSON.readTree(objected.body()).at("/objection/scope").asText());

            awaitDecision("EMAIL", "nyhetsbrev", PERSON, "DENY", "OBJECTED");
            awaitDecision("SMS", "sms-erbjudanden", PERSON, "DENY", "OBJECTED");
            assertEquals("ALLOW", decision("EMAIL", "driftmeddelanden", PERSON).path("decision").asText(),
                    "service messages are not direct marketing");
            assertEquals("ALLOW", decision("EMAIL", "nyhetsbrev", NEIGHBOUR).path("decision").asText(), "only this person objected");

            // a marketing purpose created after the objection, which the person even consents to, is denied as well
            purpose("push-kampanjer", "PUSH", "CONSENT", "MARKETING");
            for (String person : List.of(PERSON, NEIGHBOUR)) {
                expect(cluster.send("consent-service", "POST", "/v1/subjects/" + person + "/consents", app,
                        "{\"changes\":[{\"purpose\":\"push-kampanjer\",\"action\":\"GRANT\",\"noticeVersion\":\"v1\"}]}"), 201);
            }
            awaitDecision("PUSH", "push-kampanjer", NEIGHBOUR, "ALLOW", "CONSENT_GRANTED");
            awaitDecision("PUSH", "push-kampanjer", PERSON, "DENY", "OBJECTED");

            // marketing tools following the opt-outs topic see the person-wide objection
            List<ConsumerRecord<String, byte[]>> out = optouts.await(r -> (TENANT + "/" + PERSON).equals(r.key())
                    && "io.samtykke.subject.objected.v1".equals(header(r, "ce_type")), 1, PATIENCE);
            JsonNode payload = JSON.readTree(out.get(0).value());
            assertEquals("DIRECT_MARKETING", payload.path("scope").asText());
            assertEquals("mobiplus-app", payload.at("/evidence/source/appId").asText());
            String objectionId = header(out.get(0), "ce_id");

            // the person withdraws the objection (a person's own token); marketing follows their consents again
            expect(cluster.send("consent-service", "DELETE", "/v1/subjects/" + PERSON + "/objection", token(PERSON, "subject"), null), 200);
            awaitDecision("EMAIL", "nyhetsbrev", PERSON, "ALLOW", "CONSENT_GRANTED");
            awaitDecision("PUSH", "push-kampanjer", PERSON, "ALLOW", "CONSENT_GRANTED");
            List<ConsumerRecord<String, byte[]>> steps = subjectEvents.await(r -> (TENANT + "/" + PERSON).equals(r.key()), 2, PATIENCE);
            assertEquals(List.of("io.samtykke.subject.objected.v1", "io.samtykke.subject.objection-withdrawn.v1"),
                    steps.stream().map(r -> header(r, "ce_type")).toList());
            assertEquals(List.of("1", "2"), steps.stream().map(r -> header(r, "ce_subjectseq")).toList());

            // both steps are in the audit log, once each (the objection arrived on two topics)
            String auditor = token("mobiplus-auditor", "auditor");
            List<String> types = await("the objection and its withdrawal reach the audit log").atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(200)).until(() -> auditTypes(auditor),
                            t -> t.contains("io.samtykke.subject.objection-withdrawn.v1"));
            assertEquals(1, types.stream().filter("io.samtykke.subject.objected.v1"::equals).count(), types.toString());
            JsonNode entry = JSON.readTree(expect(cluster.send("audit-service", "GET", "/v1/entries?subject=" + PERSON
                    + "&type=io.samtykke.subject.objected.v1", auditor, null), 200).body()).path("entries").path(0);
            assertEquals(objectionId, entry.path("eventId").asText());
        }
    }

    @Test
    void theObjectionIsRefusedForAnotherPersonAndWithoutEvidenceAndChangesNothing() throws Exception {
        String other = "anden-" + RUN;
        HttpResponse<String> foreign = cluster.send("consent-service", "POST", "/v1/subjects/" + other + "/objection",
                token(NEIGHBOUR, "subject"), "{}");
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertTrue(foreign.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        HttpResponse<String> bare = cluster.send("consent-service", "POST", "/v1/subjects/" + other + "/objection", app, "{}");
        assertEquals(400, bare.statusCode(), bare.body());
        assertEquals("/evidence/source", JSON.readTree(bare.body()).at("/errors/0/pointer").asText());
        JsonNode status = JSON.readTree(expect(cluster.send("consent-service", "GET", "/v1/subjects/" + other + "/status",
                token("mobiplus-dpo", "dpo"), null), 200).body());
        assertTrue(status.path("objection").isNull(), status.toString());
    }

    private static List<String> auditTypes(String auditor) throws Exception {
        List<String> types = new ArrayList<>();
        JSON.readTree(cluster.send("audit-service", "GET", "/v1/entries?subject=" + PERSON + "&limit=500", auditor, null).body())
                .path("entries").forEach(e -> types.add(e.path("type").asText()));
        return types;
    }

    private static void purpose(String key, String channel, String basis, String category) throws Exception {
        expect(cluster.send("consent-service", "PUT", "/v1/purposes/" + key, admin, "{\"names\":{\"sv\":\"" + key + "\"},"
                + "\"channel\":\"" + channel + "\",\"legalBasis\":\"" + basis + "\",\"category\":\"" + category + "\"}"), 201);
        expect(cluster.send("consent-service", "POST", "/v1/purposes/" + key + "/notices", admin,
                "{\"version\":\"v1\",\"language\":\"sv\",\"text\":\"Ja tack till " + key + ".\"}"), 201);
    }

    private static JsonNode decision(String channel, String purpose, String person) throws Exception {
        return JSON.readTree(expect(cluster.send("preference-service", "POST", "/v1/decisions", marketing,
                "{\"channel\":\"" + channel + "\",\"purpose\":\"" + purpose + "\",\"subjectIds\":[\"" + person + "\"]}"), 200)
                .body()).path("decisions").path(0);
    }

    private static void awaitDecision(String channel, String purpose, String person, String verdict, String reason) {
        await(purpose + " on " + channel + " for " + person + ": " + verdict + " " + reason).atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(100)).until(() -> decision(channel, purpose, person), d ->
                        verdict.equals(d.path("decision").asText()) && d.path("reasons").findValuesAsText("code").contains(reason));
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String token(String subject, String role) {
        return cluster.sign(Cluster.claims(TENANT, subject, role));
    }

    private static HttpResponse<String> expect(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
        return r;
    }
}
