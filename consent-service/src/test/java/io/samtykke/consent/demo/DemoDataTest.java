package io.samtykke.consent.demo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.testsupport.Tokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The demo tenants (one per seed company) load through the real validation and write path, twice without harm. */
@QuarkusTest
class DemoDataTest {

    @Inject
    DemoData demo;

    @Test
    void demoTenantsLoadAndReloadingChangesNothing() throws Throwable {
        DemoData.DemoFile file = demo.read();
        assertEquals(5, file.tenants().size(), "one tenant per seed policy");
        assertEquals(5, VertxContextSupport.<Integer>subscribeAndAwait(() -> demo.load(file)));
        assertEquals(5, VertxContextSupport.<Integer>subscribeAndAwait(() -> demo.load(file)));

        for (DemoData.Tenant t : file.tenants()) {
            String admin = Tokens.forTests().mint(t.id(), "tester", "admin", "app");
            given().auth().oauth2(admin).get("/v1/purposes").then().statusCode(200)
                    .body("purposes", hasSize(t.purposes().size()));
            for (DemoData.Subject s : t.subjects()) {
                given().auth().oauth2(admin).get("/v1/subjects/" + s.subjectId() + "/consents").then().statusCode(200)
                        .body("subjectSeq", equalTo(s.changes().size()))
                        .body("consents", not(hasSize(0)));
            }
        }
    }
}
