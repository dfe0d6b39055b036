package io.samtykke.preference.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response bodies of webhook subscriptions and their delivery ledger. */
public final class WebhookApi {

    private WebhookApi() {
    }

    @Schema(description = "A webhook subscription of the tenant", example = """
            {"url": "https://crm.example.com/hooks/samtykke",
             "eventTypes": ["io.samtykke.consent.withdrawn.v1", "io.samtykke.consent.objected.v1",
                            "io.samtykke.preference.updated.v1"],
             "description": "CRM suppression list"}""")
    public record SubscriptionRequest(
            @Schema(description = "http or https URL that receives a POST per event; its host must be public unless private networks are allowed")
            String url,
            @Schema(description = "CloudEvents types to deliver; default: the opt-outs, io.samtykke.consent.{denied,withdrawn,"
                    + "expired,objected}.v1 and io.samtykke.subject.{objected,restricted}.v1 (the objection to all direct marketing, "
                    + "the restriction of all processing). Also "
                    + "any consent type, io.samtykke.preference.updated.v1 and the person's status changes "
                    + "io.samtykke.subject.{objected,objection-withdrawn,restricted,restriction-lifted}.v1. The erasure "
                    + "(io.samtykke.subject.erased.v1) goes to every subscription, whatever it names")
            List<String> eventTypes,
            String description) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SubscriptionView(
            UUID id,
            String url,
            List<String> eventTypes,
            String description,
            boolean active,
            Instant createdAt,
            @Schema(description = "When the secret was last rotated; absent when it never was")
            Instant secretRotatedAt,
            @Schema(description = "Until when deliveries are also signed with the secret before the last rotation")
            Instant previousSecretValidUntil,
            @Schema(description = "whsec_<base64>: the signing secret, shown only in the answer to its creation or rotation")
            String secret,
            @Schema(description = "Delivery state and lag; in GET /v1/webhooks/{id} only")
            Lag lag) {
    }

    public record SubscriptionList(List<SubscriptionView> subscriptions) {
    }

    @Schema(description = "How far behind the subscriber is: lag runs from the consent change being stored to its acknowledgement")
    public record Lag(
            long pending,
            long deadLettered,
            long delivered,
            @Schema(description = "The change time of the oldest event not acknowledged yet")
            Instant oldestUnacknowledgedChangeAt,
            Double oldestUnacknowledgedAgeSeconds,
            Instant lastAcknowledgedAt,
            @Schema(description = "Change-to-acknowledgement times of deliveries acknowledged in the last hour")
            LagStats acknowledgedLastHour) {
    }

    public record LagStats(long count, Double p50Millis, Double p99Millis, Double maxMillis) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryView(
            long id,
            UUID eventId,
            String eventType,
            String subjectId,
            @Schema(description = "PENDING (waiting or retrying), DELIVERED (acknowledged with a 2xx), DEAD (gave up; replayable)")
            String status,
            int attempts,
            Instant changedAt,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant acknowledgedAt,
            Long lagMillis,
            Instant deadAt,
            Integer lastStatusCode,
            String lastError,
            List<AttemptView> attemptLog) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AttemptView(Instant at, int durationMillis, Integer statusCode, String error) {
    }

    public record DeliveryPage(List<DeliveryView> deliveries, @Schema(description = "Pass as ?before= for the next (older) page") Long next) {
    }

    @Schema(description = "Which dead-lettered deliveries to deliver again; absent or empty: all of them")
    public record ReplayRequest(List<Long> deliveryIds) {
    }

    public record ReplayResult(int replayed) {
    }
}
