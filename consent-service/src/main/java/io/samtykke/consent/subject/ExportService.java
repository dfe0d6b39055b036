package io.samtykke.consent.subject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.logging.Log;
import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.identifier.IdentifierStore;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.record.ConsentApi.HistoryRecord;
import io.samtykke.consent.record.ConsentQueries;
import io.samtykke.consent.subject.ExportStore.ExportRow;
import io.samtykke.consent.subject.SubjectRequestService.Origin;
import io.samtykke.consent.subject.SubjectStore.RequestFilter;
import io.samtykke.consent.subject.SubjectStore.RequestRow;
import io.samtykke.contract.ActorType;
import io.samtykke.contract.ConsentEvent;
import io.samtykke.contract.SubjectEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.contract.SubjectExportPart;
import io.samtykke.contract.SubjectRequestStatus;
import io.samtykke.contract.SubjectRequestType;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.event.Observes;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A person's export (GDPR Art. 15 access, Art. 20 portability), assembled through events: starting an ACCESS or
 * PORTABILITY request publishes {@code export-requested}; the other services ({@code samtykke.export.parts}) answer with
 * their parts, kept by {@link ExportStore}; once every part is complete the export is ready ({@code export-ready}); each
 * download adds consent-service's own part, read then (so no decrypted identifier is stored), and is recorded as
 * {@code exported} (who, size, SHA-256; never the content); the first one completes the request.
 */
@ApplicationScoped
public class ExportService {

    /** The document's format: {@code format} and {@code formatVersion} at its top. */
    public static final String FORMAT = "io.samtykke.subject-export";
    public static final int FORMAT_VERSION = 1;
    public static final String SERVICE = "consent-service";
    private static final int HISTORY_PAGE = 500;

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    ConsentConfig config;

    @Inject
    ExportStore exports;

    @Inject
    SubjectStore subjects;

    @Inject
    ConsentQueries consents;

    @Inject
    IdentifierStore identifiers;

    @Inject
    ObjectMapper json;

    @Inject
    Vertx vertx;

    /** A downloaded export: the document's bytes and its file name. */
    public record Download(byte[] body, String fileName) {
    }

    /** True for the rights answered with an export. */
    static boolean isExported(SubjectRequestType type) {
        return type == SubjectRequestType.ACCESS || type == SubjectRequestType.PORTABILITY;
    }

    /** Records that {@code request}'s export was requested (in the transaction that publishes export-requested). */
    Uni<Void> requested(SqlConnection conn, String tenant, RequestRow request, Instant now) {
        return exports.requested(conn, tenant, request.id(), request.subjectId(), now, now.plus(config.export().retention()));
    }

    /**
     * Keeps one received chunk, and marks the export ready (publishing export-ready) when it completed the last missing
     * part. A chunk of no requested export, of another person, or expired is dropped. Blocking.
     */
    public void received(SubjectExportPart chunk, String payload) {
        boolean kept = exports.keep(pool, chunk, payload, now()).await().atMost(java.time.Duration.ofSeconds(30));
        if (!kept) {
            Log.debugf("export chunk %s dropped or already kept", chunk.eventId());
            return;
        }
        tryReady(chunk.tenantId(), chunk.requestId()).await().atMost(java.time.Duration.ofSeconds(30));
    }

    /** Marks the export ready once every expected part is complete and checks out; true when it did so now. */
    Uni<Boolean> tryReady(String tenant, UUID requestId) {
        Instant now = now();
        return exports.find(pool, tenant, requestId, false).flatMap(found -> found == null || found.readyAt() != null
                ? Uni.createFrom().item(false)
                : pool.withTransaction(conn -> subjects.lock(conn, tenant, found.subjectId(), now)
                        .flatMap(subject -> exports.find(conn, tenant, requestId, true).flatMap(export -> {
                            if (export.readyAt() != null) {
                                return Uni.createFrom().item(false);
                            }
                            return exports.completeParts(conn, tenant, requestId).flatMap(parts -> {
                                List<String> summary = new ArrayList<>();
                                for (String service : config.export().parts()) {
                                    List<SubjectExportPart> chunks = parts.get(service);
                                    if (chunks == null || !checksOut(chunks)) {
                                        return Uni.createFrom().item(false);
                                    }
                                    summary.add(service + " (" + chunks.get(0).size() + " bytes, sha256 " + chunks.get(0).sha256() + ")");
                                }
                                return subjects.find(conn, tenant, requestId).flatMap(request -> {
                                    SubjectEvents events = new SubjectEvents(tenant, export.subjectId(), subject.eventSeq(), now,
                                            systemEvidence());
                                    events.add(SubjectEventType.EXPORT_READY, null, contract(request), "parts "
                                            + String.join(", ", summary), now);
                                    return exports.ready(conn, tenant, requestId, now)
                                            .flatMap(v -> subjects.append(conn, events, null, now))
                                            .replaceWith(true);
                                });
                            });
                        }))));
    }

    /**
     * The export of a request, for the DPO or the person it concerns (another's is not found): its parts with
     * consent-service's own, read now. Records the delivery (and completes the request the first time).
     */
    public Uni<Download> download(UUID requestId, Origin ctx) {
        String tenant = ctx.caller().tenant();
        ProblemException notFound = new ProblemException(CommonProblem.NOT_FOUND, "no export of request " + requestId
                + " in this tenant");
        return subjects.find(pool, tenant, requestId).flatMap(request -> {
            if (request == null || ctx.caller().isSubjectOnly() && !request.subjectId().equals(ctx.caller().subject())) {
                throw notFound;
            }
            return exports.find(pool, tenant, requestId, false).flatMap(export -> {
                if (export == null || !export.expiresAt().isAfter(now())) {
                    throw new ProblemException(CommonProblem.NOT_FOUND, "request " + requestId + " has no export"
                            + (export == null ? " (an ACCESS or PORTABILITY request gets one when it is started)" : " any more (expired)"));
                }
                if (export.readyAt() == null) {
                    return exports.completeParts(pool, tenant, requestId).map(parts -> {
                        List<String> missing = new ArrayList<>(config.export().parts());
                        missing.removeAll(parts.keySet());
                        throw new ProblemException(ConsentProblem.EXPORT_NOT_READY, "the export is being assembled; missing parts: "
                                + String.join(", ", missing));
                    });
                }
                return document(tenant, request, export).flatMap(body -> delivered(tenant, request, body, ctx)
                        .replaceWith(new Download(body, "export-" + request.subjectId().replaceAll("[^A-Za-z0-9._-]", "_")
                                + "-" + requestId + ".json")));
            });
        });
    }

    /** The whole document: consent-service's part, read now, and every other service's part as it was received. */
    private Uni<byte[]> document(String tenant, RequestRow request, ExportRow export) {
        return consentPart(tenant, request.subjectId()).flatMap(own -> exports.completeParts(pool, tenant, request.id()).map(parts -> {
            ObjectNode doc = json.createObjectNode();
            doc.put("format", FORMAT);
            doc.put("formatVersion", FORMAT_VERSION);
            doc.put("tenantId", tenant);
            doc.put("subjectId", request.subjectId());
            doc.put("requestId", request.id().toString());
            doc.put("requestType", request.type().name());
            doc.put("generatedAt", now().toString());
            doc.put("expiresAt", export.expiresAt().toString());
            ObjectNode byService = doc.putObject("parts");
            byService.set(SERVICE, json.valueToTree(own));
            try {
                for (Map.Entry<String, List<SubjectExportPart>> part : new TreeMap<>(parts).entrySet()) {
                    byService.set(part.getKey(), json.readTree(SubjectExportPart.join(part.getValue())));
                }
                return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** consent-service's part: current consents, every record with its evidence, identifiers (decrypted), requests, status. */
    private Uni<Map<String, Object>> consentPart(String tenant, String subjectId) {
        Map<String, Object> part = new java.util.LinkedHashMap<>();
        part.put("service", SERVICE);
        part.put("formatVersion", FORMAT_VERSION);
        return consents.current(tenant, subjectId).invoke(c -> part.put("consents", c.consents()))
                .flatMap(c -> history(tenant, subjectId, null, new ArrayList<>())).invoke(h -> part.put("history", h))
                .flatMap(h -> identifiers.identifiersOf(tenant, subjectId)).invoke(ids -> part.put("identifiers", ids))
                .flatMap(ids -> subjects.list(pool, tenant, new RequestFilter(null, null, null, subjectId, false), 1000))
                .invoke(rows -> part.put("requests", rows.stream().map(r -> SubjectRequestService.view(r, now())).toList()))
                .flatMap(rows -> subjects.read(pool, tenant, subjectId))
                .map(s -> {
                    Map<String, Object> status = new java.util.LinkedHashMap<>();
                    status.put("objectedToDirectMarketingAt", s.objectedAt());
                    status.put("restrictedAt", s.restrictedAt());
                    status.put("restrictionReason", s.restrictionReason());
                    part.put("status", status);
                    return part;
                });
    }

    private Uni<List<HistoryRecord>> history(String tenant, String subjectId, String cursor, List<HistoryRecord> into) {
        return consents.history(tenant, subjectId, cursor, HISTORY_PAGE, false).flatMap(page -> {
            into.addAll(page.records());
            return page.nextCursor() == null ? Uni.createFrom().item(into) : history(tenant, subjectId, page.nextCursor(), into);
        });
    }

    /** The exported event (and the first time, the request's completion) in one transaction. */
    private Uni<Void> delivered(String tenant, RequestRow found, byte[] body, Origin ctx) {
        Instant now = now();
        return pool.withTransaction(conn -> subjects.lock(conn, tenant, found.subjectId(), now)
                .flatMap(subject -> subjects.find(conn, tenant, found.id()).flatMap(request -> {
                    SubjectEvents events = new SubjectEvents(tenant, request.subjectId(), subject.eventSeq(), now,
                            SubjectEvents.evidence(ctx.caller(), request.subjectId(), null, ctx.remoteIp(), ctx.userAgent()));
                    String what = "export of " + body.length + " bytes, sha256 " + SubjectExportPart.sha256(body);
                    Uni<Void> completion = Uni.createFrom().voidItem();
                    RequestRow after = request;
                    if (request.status().isOpen()) {
                        after = new RequestRow(request.id(), request.subjectId(), request.type(), SubjectRequestStatus.COMPLETED,
                                request.details(), request.receivedAt(), request.dueAt(), request.extendedMonths(),
                                request.extensionReason(), "export delivered: " + what, now, now);
                        RequestRow completed = after;
                        completion = subjects.updateRequest(conn, tenant, completed);
                    }
                    events.add(SubjectEventType.EXPORTED, null, contract(after), what, now);
                    if (request.status().isOpen()) {
                        events.add(SubjectEventType.REQUEST_COMPLETED, null, contract(after), after.closingReason(), now);
                    }
                    return completion.flatMap(v -> exports.downloaded(conn, tenant, request.id()))
                            .flatMap(v -> subjects.append(conn, events, ctx.traceparent(), now));
                })));
    }

    private static boolean checksOut(List<SubjectExportPart> chunks) {
        try {
            SubjectExportPart.join(chunks);
            return true;
        } catch (RuntimeException e) {
            Log.warnf("export part %s of %s does not check out: %s", chunks.get(0).partId(), chunks.get(0).service(), e.getMessage());
            return false;
        }
    }

    void onStart(@Observes StartupEvent ev) {
        vertx.setPeriodic(config.export().purgeInterval().toMillis(), id -> purge().subscribe().with(
                n -> Log.debugf("%d expired exports deleted", n), e -> Log.warnf("export purge failed: %s", e.getMessage())));
    }

    /** Deletes the exports (and their parts) older than {@code samtykke.export.retention}; returns how many. */
    public Uni<Integer> purge() {
        return exports.purge(pool, now());
    }

    private static ConsentEvent.Evidence systemEvidence() {
        return new ConsentEvent.Evidence(null, new ConsentEvent.Actor(ActorType.SYSTEM, SERVICE), null, null, null);
    }

    private static SubjectEvent.Request contract(RequestRow r) {
        return new SubjectEvent.Request(r.id(), r.type(), r.status(), r.receivedAt(), r.dueAt(), r.extendedMonths());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
