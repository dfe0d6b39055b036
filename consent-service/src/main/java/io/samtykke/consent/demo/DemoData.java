package io.samtykke.consent.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.purpose.PurposeApi.NoticeRequest;
import io.samtykke.consent.purpose.PurposeApi.PurposeRequest;
import io.samtykke.consent.purpose.PurposeService;
import io.samtykke.consent.record.ConsentApi;
import io.samtykke.consent.record.ConsentQueries;
import io.samtykke.consent.record.ConsentService;
import io.samtykke.consent.record.WriteContext;
import io.samtykke.kit.security.Caller;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * Loads one demo tenant per seed company (shared/seeds) at start when {@code samtykke.demo.enabled}:
 * its purposes, notice versions and a few demo subjects. Idempotent: running it again changes nothing.
 */
@ApplicationScoped
public class DemoData {

    @Inject
    ConsentConfig config;

    @Inject
    PurposeService purposes;

    @Inject
    ConsentService consents;

    @Inject
    ConsentQueries queries;

    @Inject
    ObjectMapper json;

    public record DemoFile(List<Tenant> tenants) {
    }

    public record Tenant(String id, String name, String seed, List<DemoPurpose> purposes, List<Subject> subjects) {
    }

    public record DemoPurpose(String key, java.util.Map<String, String> names, java.util.Map<String, String> descriptions,
                              io.samtykke.contract.Channel channel, io.samtykke.contract.LegalBasis legalBasis,
                              io.samtykke.contract.PurposeCategory category, String validity, boolean doubleOptIn,
                              List<NoticeRequest> notices) {
    }

    public record Subject(String subjectId, List<ConsentApi.IdentifierRequest> identifiers,
                          List<ConsentApi.Change> changes, ConsentApi.EvidenceRequest evidence) {
    }

    void onStart(@Observes StartupEvent ev) {
        if (!config.demo().enabled()) {
            return;
        }
        try {
            // blocks start-up until loaded, in the safe Vert.x context the reactive session needs
            int n = VertxContextSupport.subscribeAndAwait(() -> load(read()));
            Log.infof("demo data loaded: %d tenants", n);
        } catch (Throwable e) {
            throw new IllegalStateException("demo data could not be loaded", e);
        }
    }

    public DemoFile read() {
        try (InputStream in = DemoData.class.getResourceAsStream("/demo/tenants.json")) {
            if (in == null) {
                throw new IllegalStateException("demo/tenants.json is missing");
            }
            return json.readValue(in, DemoFile.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Uni<Integer> load(DemoFile file) {
        return Multi.createFrom().iterable(file.tenants())
                .onItem().transformToUniAndConcatenate(t -> loadTenant(t).replaceWith(t.id()))
                .collect().asList().map(List::size);
    }

    private Uni<Void> loadTenant(Tenant t) {
        Caller system = new Caller(t.id(), "demo-loader", Set.of(Caller.ADMIN, Caller.APP));
        return Multi.createFrom().iterable(t.purposes())
                .onItem().transformToUniAndConcatenate(p -> purposes.put(t.id(), p.key(), new PurposeRequest(
                                p.names(), p.descriptions(), p.channel(), p.legalBasis(), p.category(), p.validity(),
                                p.doubleOptIn(), true))
                        .flatMap(saved -> Multi.createFrom().iterable(p.notices())
                                .onItem().transformToUniAndConcatenate(n -> purposes.publish(t.id(), p.key(), n))
                                .collect().asList()))
                .collect().asList()
                .flatMap(v -> Multi.createFrom().iterable(t.subjects())
                        .onItem().transformToUniAndConcatenate(s -> queries.current(t.id(), s.subjectId())
                                .flatMap(existing -> existing.subjectSeq() > 0
                                        ? Uni.createFrom().voidItem()
                                        : consents.write(s.subjectId(),
                                                new ConsentApi.ConsentRequest(s.changes(), s.evidence(), s.identifiers()),
                                                new WriteContext(system, null, null, null, "samtykke-demo-loader"))
                                        .replaceWithVoid()))
                        .collect().asList())
                .replaceWithVoid();
    }
}
