package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class IdentifierTest {

    @Test
    void identifiersAreStoredEncryptedAndAWithdrawalByEmailReachesTheSubject() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of(
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "GRANT", "noticeVersion", "v1")),
                        "identifiers", List.of(Map.of("type", "EMAIL", "value", "Anna.Hansen@Example.DK"))))
                .post("/v1/subjects/anna/consents").then().statusCode(201);

        assertEquals(1, api.count("select count(*) from subject_identifier where tenant_id = ?", api.tenant));
        assertEquals(0, api.count("""
                select count(*) from subject_identifier where tenant_id = ?
                  and (position(convert_to('anna', 'UTF8') in ciphertext) > 0 or position(convert_to('anna', 'UTF8') in blind_index) > 0)""",
                api.tenant), "no clear text at rest");

        api.as("app").body(Map.of("identifier", Map.of("type", "EMAIL", "value", " anna.hansen@example.dk"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(200)
                .body("subjects", hasSize(1))
                .body("subjects[0].subjectId", equalTo("anna"))
                .body("subjects[0].records[0].state", equalTo("WITHDRAWN"));
        api.as("app").get("/v1/subjects/anna/consents").then().body("consents[0].state", equalTo("WITHDRAWN"));
        api.asSubject("anna").get("/v1/subjects/anna/identifiers").then().statusCode(200)
                .body("identifiers[0].value", equalTo("anna.hansen@example.dk"));
    }

    @Test
    void anUnknownOrInvalidIdentifierChangesNothing() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("identifier", Map.of("type", "EMAIL", "value", "nobody@example.dk"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(404).contentType("application/problem+json");
        api.as("app").body(Map.of("identifier", Map.of("type", "EMAIL", "value", "not-an-email"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/identifier/value"));
        api.as("app").body(Map.of("identifier", Map.of("value", "anna@example.dk"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(400)
                .body("errors.pointer", equalTo(List.of("/identifier/type")));
        assertEquals(0, api.count("select count(*) from consent_record where tenant_id = ?", api.tenant));
    }

    @Test
    void aChangeByIdentifierWritesEveryOwnerOrNone() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        // two people share a family address: A has withdrawn, B is granted
        api.change("a-owner", "newsletter", "GRANT").statusCode(201);
        api.change("a-owner", "newsletter", "WITHDRAW").statusCode(201);
        api.change("b-owner", "newsletter", "GRANT").statusCode(201);
        for (String subject : List.of("a-owner", "b-owner")) {
            api.as("app").body(List.of(Map.of("type", "EMAIL", "value", "family@example.dk")))
                    .put("/v1/subjects/" + subject + "/identifiers").then().statusCode(200);
        }
        Map<String, Object> email = Map.of("type", "EMAIL", "value", "family@example.dk");

        // DENY is allowed for A (WITHDRAWN -> DENIED, written first in subject order) but not for B (GRANTED)
        api.as("app").body(Map.of("identifier", email, "changes", List.of(Map.of("purpose", "newsletter", "action", "DENY"))))
                .post("/v1/identifiers/consents").then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/illegal-transition"))
                .body("detail", startsWith("subject 'b-owner': DENY is not allowed from GRANTED"))
                .body("errors[0].pointer", equalTo("/changes/0/action"));
        assertEquals(2, api.records("a-owner"), "A's allowed DENY is rolled back with B's refusal");
        assertEquals(1, api.records("b-owner"));
        assertEquals(3, outbox(api), "no event for either subject");
        api.as("app").get("/v1/subjects/a-owner/consents").then().statusCode(200)
                .body("subjectSeq", equalTo(2)).body("consents[0].state", equalTo("WITHDRAWN"));

        // an allowed change reaches both owners, in one answer
        api.as("app").body(Map.of("identifier", email, "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(200)
                .body("subjects.subjectId", equalTo(List.of("a-owner", "b-owner")))
                .body("subjects[0].records[0].state", equalTo("WITHDRAWN"))
                .body("subjects[1].records[0].previousState", equalTo("GRANTED"))
                .body("subjects[1].records[0].state", equalTo("WITHDRAWN"));
        assertEquals(3, api.records("a-owner"));
        assertEquals(2, api.records("b-owner"));
        assertEquals(5, outbox(api));
    }

    @Test
    void attachingIdentifiersToAnInvalidSubjectIdStoresNothing() {
        Api api = Api.newTenant();
        for (String bad : List.of("-starts-with-a-dash", "x".repeat(129), "a b")) {
            api.as("app").body(List.of(Map.of("type", "EMAIL", "value", "anna@example.dk")))
                    .put("/v1/subjects/" + bad + "/identifiers").then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://samtykke.io/problems/validation"))
                    .body("errors[0].pointer", equalTo("/subjectId"));
        }
        assertEquals(0, api.count("select count(*) from subject_identifier where tenant_id = ?", api.tenant));
        api.as("app").body(List.of(Map.of("type", "EMAIL", "value", "anna@example.dk")))
                .put("/v1/subjects/" + "x".repeat(128) + "/identifiers").then().statusCode(200);
    }

    private static long outbox(Api api) {
        return api.count("select count(*) from outbox where tenant_id = ?", api.tenant);
    }

    @Test
    void anotherTenantCannotFindTheSameAddress() {
        Api a = Api.newTenant();
        Api b = Api.newTenant();
        a.consentPurpose("newsletter", "EMAIL");
        b.consentPurpose("newsletter", "EMAIL");
        a.as("app").body(List.of(Map.of("type", "PHONE", "value", "+45 12 34 56 78")))
                .put("/v1/subjects/anna/identifiers").then().statusCode(200)
                .body("identifiers[0].value", equalTo("+4512345678"));
        b.as("app").body(Map.of("identifier", Map.of("type", "PHONE", "value", "+4512345678"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(404);
    }
}
