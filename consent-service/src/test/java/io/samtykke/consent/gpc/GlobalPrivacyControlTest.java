package io.samtykke.consent.gpc;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.samtykke.consent.Api;
import io.samtykke.consent.InboundGatewayResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A browser's {@code Sec-gpc(): 1} on a consent request opts the person out of sale and sharing, where the tenant honours it. */
@QuarkusTest
class GlobalPrivacyControlTest {

    private static Api gpc() {
        return Api.catalogued(InboundGatewayResource.GPC_TENANT, api -> {
            api.purpose("newsletter", "EMAIL", "CONSENT", "MARKETING", false, null);
            api.purpose("partner-sharing", "NONE", "CONSENT", "MARKETING", false, null);
            api.purpose("ad-audiences", "DEVICE_ID", "CONSENT", "MARKETING", false, null);
        });
    }

    @Test
    void theSignalWithdrawsSaleAndSharingOnceWithTheSignalAsEvidence() {
        String s = subject();
        Response first = write(gpc(), s, "1", "newsletter");
        first.then().statusCode(201).header("GPC-Opt-Outs", "2");
        assertEquals(Map.of("newsletter", "GRANTED", "partner-sharing", "WITHDRAWN", "ad-audiences", "WITHDRAWN"), gpc().states(s));
        gpc().as("app").get("/v1/subjects/" + s + "/consents").then().header("ETag", first.header("ETag"));
        gpc().as("app").get("/v1/subjects/" + s + "/consents/history?order=desc").then()
                .body("records[0].action", equalTo("WITHDRAW"))
                .body("records[0].source.collectionPoint", equalTo("gpc"))
                .body("records[0].source.appId", equalTo("web-shop"))
                .body("records[0].actor.type", equalTo("SUBJECT"));

        long before = gpc().records(s);
        Response again = write(gpc(), s, "1", "newsletter");
        again.then().statusCode(201);
        assertNull(again.header("GPC-Opt-Outs"), "nothing left to opt out of");
        assertEquals(before + 1, gpc().records(s), "only the request's own record: the signal is not recorded twice");
    }

    @Test
    void anExplicitGrantInTheSameRequestIsThePersonsChoice() {
        String s = subject();
        write(gpc(), s, "1", "ad-audiences").then().statusCode(201).header("GPC-Opt-Outs", "1");
        assertEquals(Map.of("ad-audiences", "GRANTED", "partner-sharing", "WITHDRAWN"), gpc().states(s));
    }

    @Test
    void noSignalAnotherValueOrATenantThatDoesNotHonourItChangesNothingMore() {
        String s = subject();
        for (String header : new String[] {null, "0", "true", "1, 1"}) {
            write(gpc(), s, header, "newsletter").then().statusCode(201);
        }
        assertEquals(Map.of("newsletter", "GRANTED"), gpc().states(s));
        Api other = Api.newTenant();
        other.purpose("newsletter", "EMAIL", "CONSENT", "MARKETING", false, null);
        other.purpose("partner-sharing", "NONE", "CONSENT", "MARKETING", false, null);
        Response r = write(other, s, "1", "newsletter");
        r.then().statusCode(201);
        assertNull(r.header("GPC-Opt-Outs"));
        assertEquals(Map.of("newsletter", "GRANTED"), other.states(s));
    }

    private static Response write(Api api, String subject, String gpc, String grant) {
        var request = api.as("app").body(Map.of(
                "changes", List.of(Map.of("purpose", grant, "action", "GRANT", "noticeVersion", "v1")),
                "evidence", Map.of("source", Map.of("appId", "web-shop", "platform", "web"))));
        if (gpc != null) {
            request = request.header("Sec-GPC", gpc);
        }
        return request.post("/v1/subjects/" + subject + "/consents");
    }

    private static String subject() {
        return "g-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
