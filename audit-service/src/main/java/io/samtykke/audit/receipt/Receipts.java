package io.samtykke.audit.receipt;

import io.samtykke.audit.config.AuditConfig;
import io.samtykke.audit.entry.AuditEntry;
import io.samtykke.audit.tree.LogSigner;
import io.samtykke.audit.tree.TreeStore.StoredCheckpoint;
import io.samtykke.audit.tree.TreeStore;
import io.samtykke.audit.verifier.ProofPlan;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.Schemas;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The consent receipt of a consent record in the log: the record's event read into the Kantara and ISO/IEC TS 27560
 * fields, with its inclusion proof in the latest signed checkpoint once a checkpoint covers it.
 */
@ApplicationScoped
public class Receipts {

    static final String KANTARA_VERSION = "KI-CR-v1.1.0";

    @Inject
    TreeStore store;

    @Inject
    LogSigner signer;

    @Inject
    AuditConfig config;

    /** The receipt of {@code entry}, a consent event of {@code tenant}'s log; without proof until it is checkpointed. */
    public Uni<ConsentReceipt> of(String tenant, AuditEntry entry) {
        return store.latestOrEmpty(tenant).flatMap(checkpoint -> proof(tenant, entry, checkpoint))
                .map(proof -> receipt(tenant, entry, proof));
    }

    private Uni<ConsentReceipt.Proof> proof(String tenant, AuditEntry entry, StoredCheckpoint checkpoint) {
        if (entry.seq() >= checkpoint.size()) {
            return Uni.createFrom().nullItem();
        }
        return store.proof(tenant, ProofPlan.inclusion(entry.seq(), checkpoint.size()))
                .map(hashes -> new ConsentReceipt.Proof(signer.origin(tenant), entry.seq(), checkpoint.size(), entry.entry(),
                        entry.leafHash(), hashes.stream().map(h -> Base64.getEncoder().encodeToString(h)).toList(), checkpoint.note()));
    }

    private ConsentReceipt receipt(String tenant, AuditEntry entry, ConsentReceipt.Proof proof) {
        Map<?, ?> p = entry.payload() instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> notice = map(p.get("notice"));
        Map<?, ?> evidence = map(p.get("evidence"));
        Map<?, ?> source = map(evidence.get("source"));
        String legalBasis = text(p.get("legalBasis"));
        ConsentReceipt.Purpose purpose = new ConsentReceipt.Purpose(entry.purpose(),
                p.get("category") == null ? null : List.of(text(p.get("category"))),
                LegalBasis.CONSENT.name().equals(legalBasis) ? "EXPLICIT" : null, text(p.get("channel")), true,
                p.get("expiresAt") != null ? "expires " + text(p.get("expiresAt")) : "until withdrawn");
        return new ConsentReceipt(KANTARA_VERSION, config.receipts().jurisdiction(), entry.eventTime().toString(),
                collectionMethod(source), entry.eventId(), signer.verifierKey(tenant),
                notice.get("language") != null ? text(notice.get("language")) : text(evidence.get("language")),
                entry.subjectId(), List.of(new ConsentReceipt.Controller(tenant)), text(notice.get("url")),
                List.of(new ConsentReceipt.Service(entry.purpose(), List.of(purpose))), legalBasis,
                notice.isEmpty() ? null : new ConsentReceipt.Notice(text(notice.get("version")), text(notice.get("language")),
                        text(notice.get("contentSha256")), text(notice.get("url")),
                        notice.get("material") instanceof Boolean b ? b : null),
                new ConsentReceipt.Event(entry.type(), text(p.get("action")), text(p.get("previousState")), text(p.get("state")),
                        text(p.get("occurredAt")), text(p.get("recordedAt")), text(p.get("expiresAt"))),
                new ConsentReceipt.Evidence(evidence.get("source"), evidence.get("actor"), text(evidence.get("ipPrefix")),
                        text(evidence.get("userAgent")), evidence.get("confirmation")),
                new ConsentReceipt.Record(tenant, entry.seq(), Schemas.CONSENT_EVENT, entry.receivedAt().toString(), entry.erased()),
                proof);
    }

    private static String collectionMethod(Map<?, ?> source) {
        if (source.isEmpty()) {
            return null;
        }
        List<String> app = new ArrayList<>();
        for (String part : List.of("appId", "platform", "appVersion")) {
            if (source.get(part) != null) {
                app.add(text(source.get(part)));
            }
        }
        String point = source.get("collectionPoint") != null ? text(source.get("collectionPoint")) : "unspecified";
        return app.isEmpty() ? point : point + " via " + String.join(" ", app);
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> m ? m : Map.of();
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }
}
