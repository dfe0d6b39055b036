package io.samtykke.consent.inbound;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.record.ConsentApi.IdentifierRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierType;
import io.samtykke.contract.Channel;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.kit.webhook.WebhookSignature;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Endpoints for a tenant's gateways, which forward what people send back: an SMS reply (seed Mobitech Telecom is such
 * a gateway) whose first word is a stop keyword, or an email unsubscribe by address. No bearer token: the gateway
 * signs each request as Standard Webhooks do (webhook-id, webhook-timestamp, webhook-signature) with the tenant's
 * secret, so a request that is not signed, signed with another key, older than five minutes or altered is refused.
 */
@Path("/v1/inbound/{tenant}")
@PermitAll
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Inbound opt-outs", description = "Signed requests from a tenant's SMS and email gateways")
public class InboundResource {

    /** The keywords every tenant honours: English, Danish/Norwegian, Swedish. */
    static final Set<String> SMS_STOP_KEYWORDS = Set.of("STOP", "STOPP", "AFMELD", "UNSUBSCRIBE");

    @Schema(description = "An SMS a person sent to the tenant's number, as the gateway received it", example = """
            {"from": "+4520123456", "to": "1919", "text": "STOP", "receivedAt": "2026-03-14T09:26:53Z"}""")
    public record InboundSms(String from, String to, String text, Instant receivedAt) {
    }

    @Schema(description = "An unsubscribe by email address; purposes: only these (default: every email marketing purpose)",
            example = """
            {"address": "anna@example.dk", "purposes": ["newsletter"], "receivedAt": "2026-03-14T09:26:53Z"}""")
    public record InboundEmailUnsubscribe(String address, List<String> purposes, Instant receivedAt) {
    }

    @Inject
    ConsentConfig config;

    @Inject
    InboundOptOuts optOuts;

    @Inject
    IdentifierStore identifiers;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    @POST
    @Path("/sms")
    @Operation(summary = "An SMS reply forwarded by the tenant's gateway; a stop keyword withdraws SMS marketing",
            description = "The first word of the text, in any case, is compared with STOP, STOPP, AFMELD, UNSUBSCRIBE and the "
                    + "tenant's own keywords. On a match every subject with the sender's number (found through its keyed "
                    + "hash) withdraws every SMS marketing purpose not already withdrawn; other texts are IGNORED. "
                    + "Signed with the tenant's gateway secret (Standard Webhooks); 401 otherwise.")
    public Uni<InboundOptOuts.Outcome> sms(@PathParam("tenant") String tenant, @Parameter(description = "Unique message id")
                                           @HeaderParam("webhook-id") String id,
                                           @HeaderParam("webhook-timestamp") String timestamp,
                                           @HeaderParam("webhook-signature") String signature, String body) {
        ConsentConfig.Inbound.Gateway gateway = verified(tenant, id, timestamp, signature, body);
        InboundSms sms = parse(body, InboundSms.class);
        RequestErrors errors = new RequestErrors();
        errors.requirePresent(sms.from(), "/from").requirePresent(sms.text(), "/text")
                .requireMaxLength(sms.text(), 2_000, "/text").requireMaxLength(sms.to(), 64, "/to");
        errors.throwIfAny();
        IdentifierRequest number = new IdentifierRequest(IdentifierType.PHONE, sms.from());
        identifiers.validate(number, "/from", errors);
        errors.throwIfAny();
        String keyword = firstWord(sms.text());
        Set<String> keywords = Stream.concat(SMS_STOP_KEYWORDS.stream(), gateway.smsKeywords().orElse(List.of()).stream()
                .map(k -> k.trim().toUpperCase(Locale.ROOT))).collect(Collectors.toSet());
        if (!keywords.contains(keyword)) {
            return Uni.createFrom().item(new InboundOptOuts.Outcome("IGNORED", null, 0, 0));
        }
        return optOuts.withdraw(tenant, number, Channel.SMS, List.of(), "sms-gateway", "sms-reply/" + keyword,
                sms.receivedAt(), keyword, id);
    }

    @POST
    @Path("/email-unsubscribe")
    @Operation(summary = "An unsubscribe by email address from the tenant's email sender or mailbox",
            description = "Every subject with the address (found through its keyed hash) withdraws the given purposes, "
                    + "or every email marketing purpose, unless already withdrawn. Signed with the tenant's gateway secret "
                    + "(Standard Webhooks); 401 otherwise.")
    public Uni<InboundOptOuts.Outcome> email(@PathParam("tenant") String tenant, @HeaderParam("webhook-id") String id,
                                             @HeaderParam("webhook-timestamp") String timestamp,
                                             @HeaderParam("webhook-signature") String signature, String body) {
        verified(tenant, id, timestamp, signature, body);
        InboundEmailUnsubscribe request = parse(body, InboundEmailUnsubscribe.class);
        RequestErrors errors = new RequestErrors();
        IdentifierRequest address = new IdentifierRequest(IdentifierType.EMAIL, request.address());
        identifiers.validate(address, "", errors);
        List<String> purposes = request.purposes() == null ? List.of() : request.purposes();
        errors.require(purposes.size() <= 100, "/purposes", "at most 100 purposes");
        for (int i = 0; i < purposes.size() && i < 100; i++) {
            errors.requirePresent(purposes.get(i), "/purposes/" + i).requireMaxLength(purposes.get(i), 64, "/purposes/" + i);
        }
        errors.throwIfAny();
        return optOuts.withdraw(tenant, address, Channel.EMAIL, purposes, "email-gateway", "email-unsubscribe",
                request.receivedAt(), null, id);
    }

    /** The tenant's gateway when the request is signed with its secret; else 401 (the same whether the tenant has one or not). */
    private ConsentConfig.Inbound.Gateway verified(String tenant, String id, String timestamp, String signature, String body) {
        ConsentConfig.Inbound.Gateway gateway = config.inbound().tenants().get(tenant);
        boolean valid = false;
        if (gateway != null && id != null && timestamp != null && signature != null && body != null && id.length() <= 200) {
            try {
                valid = WebhookSignature.verify(gateway.secret(), id, timestamp, body, signature, clock.instant());
            } catch (IllegalArgumentException e) { // the configured secret is not base64: say so, to the operator only
                Log.errorf("samtykke.inbound.tenants.\"%s\".secret is not a whsec_<base64> secret: %s", tenant, e.getMessage());
            }
        }
        if (!valid) {
            throw new ProblemException(CommonProblem.UNAUTHORIZED, "the request must be signed with the tenant's gateway "
                    + "secret (headers webhook-id, webhook-timestamp within 5 minutes, webhook-signature)");
        }
        return gateway;
    }

    private <T> T parse(String body, Class<T> type) {
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw ProblemException.at(CommonProblem.VALIDATION, "", "a JSON object is required");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ProblemException(CommonProblem.MALFORMED_JSON, e.getOriginalMessage());
        }
    }

    /** The first word, upper-cased, without the punctuation people add ("Stop.", "STOP!"). */
    static String firstWord(String text) {
        String first = text.strip().split("\\s+", 2)[0];
        return first.replaceAll("\\p{Punct}+$", "").toUpperCase(Locale.ROOT);
    }
}
