package io.samtykke.audit;

import io.quarkus.test.junit.QuarkusTest;
import io.samtykke.contract.ConsentState;
import io.samtykke.testsupport.PlatformEndpointsContract;
import org.junit.jupiter.api.Test;

import java.util.List;

/** What an operator relies on: readiness that checks PostgreSQL and Kafka, the API description, metrics. */
@QuarkusTest
class PlatformEndpointsTest extends PlatformEndpointsContract {

    PlatformEndpointsTest() {
        super(List.of("Reactive PostgreSQL connections health check", "Kafka connection health check",
                        "SmallRye Reactive Messaging - readiness check"),
                List.of("get /v1/entries", "get /v1/entries/{index}", "get /v1/checkpoint", "get /v1/public-key",
                        "get /v1/proofs/inclusion", "get /v1/proofs/consistency", "get /v1/export",
                        "get /v1/receipts/{eventId}", "delete /v1/subjects/{subjectId}/key"));
    }

    @Test
    void prometheusMetricsCountIngestedEventsAndCheckpointLag() {
        Auditor auditor = Auditor.newTenant();
        Events.send(Events.consent(auditor.tenant, "metrics-probe", "newsletter", ConsentState.GRANTED, 1));
        auditor.awaitCheckpoint(1);
        assertMetricsShow("samtykke_audit_ingested_total{outcome=\"stored\"", "samtykke_audit_checkpoint_lag_seconds_count",
                "http_server_requests_seconds_count");
    }
}
