package io.samtykke.consent;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class PurposeCatalogTest {

    private static Map<String, Object> newsletter() {
        return Map.of("names", Map.of("da", "Nyhedsbrev", "en", "Newsletter"),
                "descriptions", Map.of("da", "Tilbud pr. e-mail"),
                "channel", "EMAIL", "legalBasis", "CONSENT", "category", "MARKETING", "doubleOptIn", true);
    }

    @Test
    void adminCreatesReplacesAndListsPurposes() {
        Api api = Api.newTenant();
        api.as("admin").body(newsletter()).put("/v1/purposes/newsletter").then().statusCode(201)
                .body("key", equalTo("newsletter")).body("doubleOptIn", equalTo(true)).body("active", equalTo(true));
        Map<String, Object> cookies = Map.of("names", Map.of("en", "Analytics cookies"), "channel", "COOKIE",
                "legalBasis", "CONSENT", "category", "ANALYTICS", "validity", "P13M");
        api.as("admin").body(cookies).put("/v1/purposes/analytics-cookies").then().statusCode(201)
                .body("validity", equalTo("P13M"));
        api.as("admin").body(Map.of("names", Map.of("en", "Analytics"), "channel", "COOKIE", "legalBasis", "CONSENT",
                "category", "ANALYTICS", "active", false)).put("/v1/purposes/analytics-cookies").then().statusCode(200)
                .body("active", equalTo(false));
        api.as("app").get("/v1/purposes").then().statusCode(200)
                .body("purposes", hasSize(2)).body("purposes.key", hasItem("newsletter"));
    }

    @Test
    void onlyAdminsChangeTheCatalog() {
        Api api = Api.newTenant();
        api.as("app").body(newsletter()).put("/v1/purposes/newsletter").then().statusCode(403)
                .contentType("application/problem+json");
        assertEquals(0, api.count("select count(*) from purpose where tenant_id = ?", api.tenant));
    }

    @Test
    void invalidPurposeIsRefusedWithEveryProblemListed() {
        Api api = Api.newTenant();
        api.as("admin").body(Map.of("names", Map.of(), "channel", "EMAIL", "validity", "13 months"))
                .put("/v1/purposes/Bad Key").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://samtykke.io/problems/validation"))
                .body("errors.pointer", hasItem("/names"))
                .body("errors.pointer", hasItem("/legalBasis"))
                .body("errors.pointer", hasItem("/validity"))
                .body("errors.pointer", hasItem("/key"));
        api.as("admin").body("{\"names\":{\"en\":\"x\"},\"channel\":\"FAX\",\"legalBasis\":\"CONSENT\",\"category\":\"MARKETING\"}")
                .put("/v1/purposes/fax").then().statusCode(400)
                .body("errors[0].pointer", equalTo("/channel"))
                .body("detail", startsWith("'FAX' is not one of EMAIL"));
        assertEquals(0, api.count("select count(*) from purpose where tenant_id = ?", api.tenant));
    }

    @Test
    void noticeVersionsAreImmutableOncePublished() {
        Api api = Api.newTenant();
        api.as("admin").body(newsletter()).put("/v1/purposes/newsletter").then().statusCode(201);
        String text = "Ja tak, send mig nyhedsbrevet.";
        api.as("admin").body(Map.of("version", "2025-01", "language", "da", "text", text))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201)
                .body("contentSha256", equalTo(io.samtykke.consent.purpose.PurposeService.sha256(text)));
        // a retry of the same publication is harmless
        api.as("admin").body(Map.of("version", "2025-01", "language", "da", "text", text))
                .post("/v1/purposes/newsletter/notices").then().statusCode(200);
        api.as("admin").body(Map.of("version", "2025-01", "language", "da", "text", "Changed text"))
                .post("/v1/purposes/newsletter/notices").then().statusCode(409)
                .body("type", equalTo("https://samtykke.io/problems/notice-conflict"));
        api.as("admin").body(Map.of("version", "2025-01", "language", "en",
                        "url", "https://example.com/notice-en.html", "contentSha256", "a".repeat(64), "material", true))
                .post("/v1/purposes/newsletter/notices").then().statusCode(201).body("material", equalTo(true));
        api.as("app").get("/v1/purposes/newsletter/notices").then().statusCode(200)
                .body("notices", hasSize(2)).body("notices.text", hasItem(text));
    }

    @Test
    void theDatabaseItselfRefusesToChangeAPublishedNotice() {
        Api api = Api.withConsentPurpose("newsletter", "EMAIL");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> api.count(
                "with u as (update notice_version set text = 'edited' where tenant_id = ? returning 1) select count(*) from u",
                api.tenant));
        org.junit.jupiter.api.Assertions.assertTrue(e.getCause().getMessage().contains("immutable"));
    }

    @Test
    void noticeNeedsTextOrUrlWithHash() {
        Api api = Api.newTenant();
        api.as("admin").body(newsletter()).put("/v1/purposes/newsletter").then().statusCode(201);
        api.as("admin").body(Map.of("version", "v1", "language", "da", "url", "https://example.com/n"))
                .post("/v1/purposes/newsletter/notices").then().statusCode(400)
                .body("errors.pointer", hasItem("/contentSha256"));
        api.as("admin").body(Map.of("version", "v1", "language", "da", "text", "x"))
                .post("/v1/purposes/unknown/notices").then().statusCode(404)
                .contentType("application/problem+json");
    }
}
