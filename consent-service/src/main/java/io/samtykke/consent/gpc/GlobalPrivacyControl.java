package io.samtykke.consent.gpc;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi.ActorRequest;
import io.samtykke.consent.record.ConsentApi.Change;
import io.samtykke.consent.record.ConsentApi.ConsentRequest;
import io.samtykke.consent.record.ConsentApi.EvidenceRequest;
import io.samtykke.consent.record.ConsentApi.SourceRequest;
import io.samtykke.consent.record.ConsentService;
import io.samtykke.consent.record.OptOutRecorder;
import io.samtykke.consent.record.WriteContext;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentAction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Global Privacy Control (standards.md): a browser sends {@code Sec-GPC: 1} and the person is opted out of the sale
 * and sharing of their data. For a tenant that honours it ({@code samtykke.gpc.tenants."<tenant>".purposes}), a
 * consent request carrying the signal is followed by a WITHDRAW of each of those purposes not already opted out of,
 * recorded with the signal as its evidence (collection point {@code gpc}, the request's source, IP and user agent).
 * A purpose the same request grants explicitly is left as the person chose; a purpose already withdrawn is not
 * withdrawn again, so a signal sent with every request records once.
 */
@ApplicationScoped
public class GlobalPrivacyControl {

    /** The only value the specification defines; anything else is no signal. */
    public static boolean signalled(String header) {
        return header != null && header.trim().equals("1");
    }

    @Inject
    ConsentConfig config;

    @Inject
    PurposeService purposes;

    @Inject
    OptOutRecorder optOuts;

    /** Records the opt-outs the signal asks for after {@code request} was written; null when none was needed. */
    public Uni<ConsentService.WriteResult> honour(String subjectId, ConsentRequest request, WriteContext ctx) {
        ConsentConfig.Gpc.Tenant tenant = config.gpc().tenants().get(ctx.caller().tenant());
        if (tenant == null || tenant.purposes().isEmpty()) {
            return Uni.createFrom().nullItem();
        }
        Set<String> chosen = request.changes() == null ? Set.of() : request.changes().stream()
                .filter(c -> c != null && c.action() == ConsentAction.GRANT).map(Change::purpose).collect(Collectors.toSet());
        return purposes.list(ctx.caller().tenant()).flatMap(catalog -> {
            Set<String> known = catalog.stream().map(p -> p.key).collect(Collectors.toSet());
            List<String> asked = tenant.purposes().stream().distinct().sorted()
                    .filter(known::contains).filter(p -> !chosen.contains(p)).toList();
            EvidenceRequest given = request.evidence();
            SourceRequest source = given == null || given.source() == null
                    ? new SourceRequest(null, null, null, "gpc")
                    : new SourceRequest(given.source().appId(), given.source().platform(), given.source().appVersion(), "gpc");
            EvidenceRequest evidence = new EvidenceRequest(source, new ActorRequest(ActorType.SUBJECT, null),
                    given == null ? null : given.language(), null,
                    given == null ? null : given.ipAddress(), given == null ? null : given.userAgent());
            WriteContext plain = new WriteContext(ctx.caller(), null, null, ctx.remoteIp(), ctx.userAgent(), ctx.traceparent());
            return optOuts.withdraw(subjectId, asked, evidence, plain);
        });
    }
}
