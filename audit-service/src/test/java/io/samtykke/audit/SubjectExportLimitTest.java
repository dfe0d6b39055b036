package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.CloudEventHeaders;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.contract.Topics;
import io.samtykke.testsupport.TopicReader;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An export request audit-service cannot answer (here: the person has more entries than
 * {@code samtykke.audit.export.max-part-entries}, set to 1) gets no part, is counted as export-failed, and does not
 * stop the log: it used to be retried forever, with every tenant's events waiting behind it.
 */
@QuarkusTest
@TestProfile(SubjectExportLimitTest.OneEntryParts.class)
class SubjectExportLimitTest {

    public static class OneEntryParts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("samtykke.audit.export.max-part-entries", "1");
        }
    }

    private static final Pattern FAILED = Pattern.compile("samtykke_audit_ingested_total\\{[^}]*outcome=\"export-failed\"[^}]*} ([0-9.]+)");

    @Test
    void anExportRequestThatCannotBeAnsweredIsCountedAndTheLogGoesOn() {
        Auditor ada = Auditor.newTenant();
        Events.send(Events.consent(ada.tenant, "ada", "newsletter", ConsentState.GRANTED, 1));
        double failedBefore = exportsFailed();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        SubjectEvent request = new SubjectEvent(UUID.randomUUID(), ada.tenant, "ada", 1, SubjectEventType.EXPORT_REQUESTED, null,
                new SubjectEvent.Request(UUID.randomUUID(), SubjectRequestType.ACCESS, SubjectRequestStatus.IN_PROGRESS, now,
                        now.plus(Duration.ofDays(30)), null),
                null, new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.AGENT, "dpo"), null, null, null), now, now);
        try (TopicReader parts = new TopicReader(Topics.SUBJECT_EVENTS)) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.SUBJECT_EVENTS, request.partitionKey(),
                    EventJson.write(request).getBytes(StandardCharsets.UTF_8));
            CloudEventHeaders.forSubjectEvent(request, "/samtykke/consent-service", null).forEach((k, v) -> r.headers().add(k, v));
            Events.send(r);

            await("the failed answer counted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> exportsFailed() == failedBefore + 1);
            // the request itself is in the log, and another tenant's event after it is stored too: the log goes on
            ada.awaitEntries(2, Map.of());
            Auditor bo = Auditor.newTenant();
            Events.send(Events.consent(bo.tenant, "bo", "newsletter", ConsentState.GRANTED, 1));
            bo.awaitEntries(1, Map.of());
            assertTrue(parts.drain(Duration.ofSeconds(2)).stream().noneMatch(p -> (ada.tenant + "/ada").equals(p.key())
                            && SubjectExportPart.TYPE.equals(new String(p.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8))),
                    "no part was published for the request");
        }
        assertEquals(failedBefore + 1, exportsFailed(), "counted once: not retried after it was given up");
    }

    private static double exportsFailed() {
        Matcher m = FAILED.matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
