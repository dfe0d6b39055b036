package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.samtykke.audit.verifier.Json;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.ReceiptVerifier;
import io.samtykke.audit.verifier.VerificationException;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A consent receipt per record: what was agreed, under which notice, and the proof it is in the signed log. */
@QuarkusTest
class ReceiptTest extends TenantTest {

    @Test
    void aReceiptCarriesTheConsentReceiptFieldsAndAProofTheVerifierAccepts() throws VerificationException {
        Events.send(Events.consent(auditor.tenant, "bo", "sms-offers", ConsentState.GRANTED, 1));
        ConsentEvent grant = Events.send(Events.consent(auditor.tenant, "anna", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(2);

        String body = auditor.request().get("/v1/receipts/" + grant.eventId()).then().statusCode(200).extract().asString();
        JsonPath receipt = JsonPath.from(body);
        assertEquals("KI-CR-v1.1.0", receipt.getString("version"));
        assertEquals("EU", receipt.getString("jurisdiction"));
        assertEquals(grant.eventId().toString(), receipt.getString("consentReceiptID"));
        assertEquals(grant.occurredAt().toString(), receipt.getString("consentTimestamp"));
        assertEquals("anna", receipt.getString("piiPrincipalId"));
        assertEquals(auditor.tenant, receipt.getString("piiControllers[0].piiController"));
        assertEquals("newsletter", receipt.getString("services[0].purposes[0].purpose"));
        assertEquals(List.of("MARKETING"), receipt.getList("services[0].purposes[0].purposeCategory"));
        assertEquals("EXPLICIT", receipt.getString("services[0].purposes[0].consentType"));
        assertEquals("CONSENT", receipt.getString("legalBasis"));
        assertEquals("settings via taxa-app ios 5.2.0", receipt.getString("collectionMethod"));
        assertEquals(Map.of("version", "v1", "language", "da", "contentSha256", "a".repeat(64), "material", false),
                receipt.getMap("notice"));
        assertEquals("GRANTED", receipt.getString("event.state"));
        assertEquals("GRANT", receipt.getString("event.action"));
        assertEquals("192.0.2.0/24", receipt.getString("evidence.ipPrefix"));
        assertEquals(auditor.publicKey().verifierKey(), receipt.getString("publicKey"));
        assertEquals(1, receipt.getInt("proof.leafIndex"));
        assertEquals(2, receipt.getInt("proof.treeSize"));

        LogEntry entry = ReceiptVerifier.verify(Json.parseObject(body), auditor.publicKey());
        assertEquals(grant.eventId(), entry.eventId());

        String forged = body.replace("\"state\":\"GRANTED\"", "\"state\":\"WITHDRAWN\"");
        VerificationException e = assertThrows(VerificationException.class,
                () -> ReceiptVerifier.verify(Json.parseObject(forged), auditor.publicKey()));
        assertTrue(e.getMessage().contains("state WITHDRAWN is not the entry's GRANTED"), e.getMessage());
    }

    @Test
    void aPersonReadsTheReceiptsOfTheirOwnRecordsOnly() {
        ConsentEvent annas = grantNewsletter("anna");
        ConsentEvent bos = grantNewsletter("bo");
        auditor.awaitCheckpoint(2);
        auditor.bearer("anna", "subject").get("/v1/receipts/" + annas.eventId()).then().statusCode(200)
                .body("piiPrincipalId", equalTo("anna"));
        auditor.bearer("anna", "subject").get("/v1/receipts/" + bos.eventId()).then().statusCode(404);
        auditor.bearer("anna", "app").get("/v1/receipts/" + annas.eventId()).then().statusCode(403);
    }

    @Test
    void afterErasureAReceiptIsStillTheErasedPersonsOwnAndNoOneElses() {
        ConsentEvent annas = grantNewsletter("anna");
        ConsentEvent bos = grantNewsletter("bo");
        auditor.awaitCheckpoint(2);
        auditor.bearer("dpo-1", "dpo").delete("/v1/subjects/anna/key").then().statusCode(204);
        auditor.request().get("/v1/receipts/" + annas.eventId()).then().statusCode(200)
                .body("piiPrincipalId", equalTo("erased"));

        // "erased" is what anna's id now reads as, and a subject id consent-service accepts: it must not open her receipt
        auditor.bearer("erased", "subject").get("/v1/receipts/" + annas.eventId()).then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/not-found"));
        auditor.bearer("bo", "subject").get("/v1/receipts/" + annas.eventId()).then().statusCode(404)
                .contentType("application/problem+json");
        // anna herself is still found by her pseudonym, and reads her record as erased
        auditor.bearer("anna", "subject").get("/v1/receipts/" + annas.eventId()).then().statusCode(200)
                .body("consentReceiptID", equalTo(annas.eventId().toString()))
                .body("piiPrincipalId", equalTo("erased"))
                .body("record.erased", equalTo(true));
        auditor.bearer("anna", "subject").get("/v1/receipts/" + bos.eventId()).then().statusCode(404);
        auditor.bearer("bo", "subject").get("/v1/receipts/" + bos.eventId()).then().statusCode(200)
                .body("piiPrincipalId", equalTo("bo"));
    }

    @Test
    void onlyConsentRecordsHaveReceipts() {
        ProducerRecord<String, byte[]> preference = Events.preference(auditor.tenant, "anna", 1, "ride-offers");
        Events.send(preference);
        auditor.awaitEntries(1);
        String eventId = new String(preference.headers().lastHeader("ce_id").value());
        auditor.request().get("/v1/receipts/" + eventId).then().statusCode(404);
        auditor.request().get("/v1/receipts/" + UUID.randomUUID()).then().statusCode(404)
                .body("type", equalTo("https://samtykke.io/problems/not-found"));
        auditor.request().get("/v1/receipts/not-a-uuid").then().statusCode(400);
    }

    private ConsentEvent grantNewsletter(String subject) {
        return Events.send(Events.consent(auditor.tenant, subject, "newsletter", ConsentState.GRANTED, 1));
    }
}
