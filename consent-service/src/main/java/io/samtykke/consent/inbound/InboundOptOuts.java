package io.samtykke.consent.inbound;

import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.purpose.Purpose;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.ActorRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierRequest;
import io.samtykke.consent.record.ConsentApi.SourceRequest;
import io.samtykke.consent.record.OptOutRecorder;
import io.samtykke.consent.record.WriteContext;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.Channel;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.kit.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a person sends back through a tenant's gateway: every subject that owns the contact identifier (found through
 * its blind index) withdraws the tenant's marketing purposes on that channel, each change an ordinary consent record
 * (actor SUBJECT, source the gateway), so it is on Kafka, in the audit log and in every decision like any withdrawal.
 * Purposes already withdrawn, denied, expired or objected to are left alone, so a gateway's retry records nothing twice.
 */
@ApplicationScoped
public class InboundOptOuts {

    /** What one inbound message did. */
    public record Outcome(String action, String keyword, int subjects, int withdrawn) {
    }

    @Inject
    IdentifierStore identifiers;

    @Inject
    PurposeService purposes;

    @Inject
    OptOutRecorder optOuts;

    /**
     * Withdraws, for every owner of {@code identifier}, the marketing purposes on {@code channel} ({@code only}: just
     * these purpose keys, of any channel, when not empty).
     */
    public Uni<Outcome> withdraw(String tenant, IdentifierRequest identifier, Channel channel, List<String> only,
                                 String gateway, String collectionPoint, Instant occurredAt, String keyword, String messageId) {
        Caller caller = new Caller(tenant, gateway, Set.of(Caller.APP));
        EvidenceRequest evidence = new EvidenceRequest(new SourceRequest(gateway, channel.name().toLowerCase(java.util.Locale.ROOT),
                null, collectionPoint), new ActorRequest(ActorType.SUBJECT, null), null, occurredAt, null, null);
        return purposes.list(tenant).flatMap(catalog -> {
            Map<String, Purpose> matching = catalog.stream()
                    .filter(p -> only.isEmpty() ? p.channel == channel && p.category == PurposeCategory.MARKETING : only.contains(p.key))
                    .collect(Collectors.toMap(p -> p.key, Function.identity()));
            return identifiers.subjectsOf(tenant, identifier).flatMap(subjects -> {
                Uni<Integer> chain = Uni.createFrom().item(0);
                for (String subject : subjects) {
                    chain = chain.flatMap(done -> withdrawFor(caller, subject, matching, evidence,
                            messageId == null ? null : "inbound/" + messageId + "/" + subject).map(n -> done + n));
                }
                return chain.map(withdrawn -> new Outcome("WITHDRAWN", keyword, subjects.size(), withdrawn));
            });
        });
    }

    private Uni<Integer> withdrawFor(Caller caller, String subject, Map<String, Purpose> matching, EvidenceRequest evidence,
                                     String idempotencyKey) {
        return optOuts.withdraw(subject, matching.keySet().stream().sorted().toList(), evidence,
                        new WriteContext(caller, idempotencyKey, null, null, null))
                .map(result -> result == null ? 0 : result.body().records().size());
    }
}
