package io.samtykke.consent.record;

import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.contract.ConsentAction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;

/**
 * Records an opt-out that people (or their browsers and gateways) send again and again: a STOP answered twice, a GPC
 * signal on every request. Only the purposes the subject is not yet opted out of are withdrawn, so a repeat records
 * nothing twice.
 */
@ApplicationScoped
public class OptOutRecorder {

    @Inject
    ConsentQueries queries;

    @Inject
    ConsentService consents;

    /** WITHDRAWs those of {@code purposes} the subject is not opted out of, in one write; null when none was left. */
    public Uni<ConsentService.WriteResult> withdraw(String subjectId, List<String> purposes, EvidenceRequest evidence, WriteContext ctx) {
        return queries.notOptedOut(ctx.caller().tenant(), subjectId, purposes).flatMap(open -> {
            if (open.isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            List<Change> changes = open.stream().map(p -> new Change(p, ConsentAction.WITHDRAW, null)).toList();
            return consents.write(subjectId, new ConsentRequest(changes, evidence, null), ctx);
        });
    }
}
