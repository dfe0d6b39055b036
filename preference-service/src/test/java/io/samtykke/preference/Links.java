package io.samtykke.preference;

import io.restassured.path.json.JsonPath;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** Links preference-service issues for one email, as a mail sender asks for them. */
record Links(String page, String unsubscribe, JsonPath answer) {

    static Links issue(Api api, String subjectId, Map<String, String> body) {
        JsonPath answer = api.asMarketing().body(new HashMap<>(body)).post("/v1/subjects/" + subjectId + "/links")
                .then().statusCode(200).extract().jsonPath();
        return new Links(answer.getString("preferenceCenter"), answer.getString("unsubscribe"), answer);
    }

    /** The path and query of the page link, for requests against the test server. */
    String pagePath() {
        URI uri = URI.create(page);
        return uri.getRawPath() + "?" + uri.getRawQuery();
    }

    String pageToken() {
        return URI.create(page).getRawQuery().substring("token=".length());
    }

    String unsubscribePath() {
        return URI.create(unsubscribe).getRawPath();
    }
}
