package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class IdentifierTest {

    @Test
    void identifiersAreStoredEncryptedAndAWithdrawalByEmailReachesTheSubject() {
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
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
        Api api = Api.newTenant();
        api.consentPurpose("newsletter", "EMAIL");
        api.as("app").body(Map.of("identifier", Map.of("type", "EMAIL", "value", "nobody@example.dk"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(404).contentType("application/problem+json");
        api.as("app").body(Map.of("identifier", Map.of("type", "EMAIL", "value", "not-an-email"),
                        "changes", List.of(Map.of("purpose", "newsletter", "action", "WITHDRAW"))))
                .post("/v1/identifiers/consents").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/identifier/0/value"));
        assertEquals(0, api.count("select count(*) from consent_record where tenant_id = ?", api.tenant));
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
