package io.samtykke.preference.webhook;

import io.samtykke.kit.webhook.WebhookSignature;
import io.samtykke.contract.ConsentEventType;
import io.samtykke.contract.PreferenceEvent;
import io.samtykke.contract.SubjectEventType;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.webhook.WebhookApi.AttemptView;
import io.samtykke.preference.webhook.WebhookApi.DeliveryPage;
import io.samtykke.preference.webhook.WebhookApi.DeliveryView;
import io.samtykke.preference.webhook.WebhookApi.Lag;
import io.samtykke.preference.webhook.WebhookApi.LagStats;
import io.samtykke.preference.webhook.WebhookApi.SubscriptionRequest;
import io.samtykke.preference.webhook.WebhookApi.SubscriptionView;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Webhook subscriptions of a tenant, their delivery ledger, lag and replay. */
@ApplicationScoped
public class WebhookService {

    /**
     * The subject events that change what holds for a person as a whole: the objection to all direct marketing (GDPR
     * Art. 21) and the restriction of processing (Art. 18), each set and cleared. A tool that does not speak Kafka learns
     * of them only here. The erasure is not among them: it goes to every subscription anyway (Art. 19).
     */
    public static final List<SubjectEventType> SUBJECT_STATUS_CHANGES = List.of(SubjectEventType.OBJECTED,
            SubjectEventType.OBJECTION_WITHDRAWN, SubjectEventType.RESTRICTED, SubjectEventType.RESTRICTION_LIFTED);
    /** Every type a subscription may ask for: the consent event types, preference changes and subject status changes. */
    public static final Set<String> EVENT_TYPES = Stream.of(
                    Arrays.stream(ConsentEventType.values()).map(ConsentEventType::type), Stream.of(PreferenceEvent.TYPE),
                    SUBJECT_STATUS_CHANGES.stream().map(SubjectEventType::type))
            .flatMap(s -> s)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    /**
     * What a subscription gets when it names no types: the changes after which a person must not be contacted, per
     * purpose (consent opt-outs) and as a whole (the objection to all direct marketing, the restriction of all
     * processing). Each is on the opt-outs topic.
     */
    public static final List<String> OPT_OUT_TYPES = Stream.concat(
                    Arrays.stream(ConsentEventType.values()).filter(ConsentEventType::isOptOut).map(ConsentEventType::type),
                    SUBJECT_STATUS_CHANGES.stream().filter(SubjectEventType::isOptOut).map(SubjectEventType::type))
            .toList();
    private static final int MAX_SUBSCRIPTIONS = 50;
    /** What a subscription's view shows: never a secret. */
    private static final String VIEW_COLUMNS =
            "id, url, event_types, description, active, created_at, secret_rotated_at, previous_secret_valid_until";

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    PreferenceConfig config;

    @Inject
    SecretSealer sealer;

    public Uni<SubscriptionView> create(String tenant, SubscriptionRequest body) {
        return addressRefusal(body).flatMap(refusal -> store(tenant, body, validate(body, refusal)));
    }

    private Uni<SubscriptionView> store(String tenant, SubscriptionRequest body, List<String> types) {
        String secret = WebhookSignature.newSecret();
        UUID id = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return pool.preparedQuery("select count(*) as n from webhook_subscription where tenant_id = $1 and active")
                .execute(Tuple.of(tenant))
                .flatMap(rows -> {
                    if (rows.iterator().next().getLong("n") >= MAX_SUBSCRIPTIONS) {
                        throw ProblemException.at(CommonProblem.TOO_MANY_ITEMS, "", "a tenant has at most "
                                + MAX_SUBSCRIPTIONS + " active webhook subscriptions");
                    }
                    return pool.preparedQuery("""
                                    insert into webhook_subscription (id, tenant_id, url, secret, event_types, description, active, created_at)
                                    values ($1, $2, $3, $4, $5, $6, true, $7)""")
                            .execute(Tuple.from(Arrays.asList(id, tenant, body.url(), sealer.seal(id, secret), types.toArray(String[]::new),
                                    body.description(), now)));
                })
                .map(v -> new SubscriptionView(id, body.url(), types, body.description(), true, now.toInstant(), null, null,
                        secret, null));
    }

    public Uni<List<SubscriptionView>> list(String tenant) {
        return pool.preparedQuery("select " + VIEW_COLUMNS + " from webhook_subscription where tenant_id = $1 order by created_at")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<SubscriptionView> views = new ArrayList<>();
                    rows.forEach(r -> views.add(view(r, null, null)));
                    return views;
                });
    }

    public Uni<SubscriptionView> get(String tenant, UUID id) {
        return find(tenant, id).flatMap(row -> lag(id).map(lag -> view(row, null, lag)));
    }

    /**
     * A new secret, shown in this answer only. The one it replaces keeps signing deliveries too (a second signature)
     * for {@code secret-rotation-overlap}; a secret older than that one stops at once.
     */
    public Uni<SubscriptionView> rotateSecret(String tenant, UUID id) {
        String secret = WebhookSignature.newSecret();
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return pool.preparedQuery("""
                        update webhook_subscription set previous_secret = secret, secret = $3, secret_rotated_at = $4,
                            previous_secret_valid_until = $5
                        where id = $1 and tenant_id = $2
                        returning %s""".formatted(VIEW_COLUMNS))
                .execute(Tuple.of(id, tenant, sealer.seal(id, secret), now, now.plus(config.webhooks().secretRotationOverlap())))
                .map(rows -> view(single(rows, id), secret, null));
    }

    /** Stops deliveries to the subscription; its ledger stays readable. */
    public Uni<Void> deactivate(String tenant, UUID id) {
        return find(tenant, id).flatMap(row -> pool.preparedQuery("update webhook_subscription set active = false where id = $1")
                .execute(Tuple.of(id))).replaceWithVoid();
    }

    public Uni<DeliveryPage> deliveries(String tenant, UUID id, String status, String subjectId, Long before, Integer limit) {
        int size = limit == null ? 100 : limit;
        new RequestErrors()
                .require(status == null || Set.of("PENDING", "DELIVERED", "DEAD").contains(status), "/query/status",
                        "must be PENDING, DELIVERED or DEAD")
                .require(size >= 1 && size <= 500, "/query/limit", "must be 1-500")
                .throwIfAny();
        return find(tenant, id).flatMap(row -> pool.preparedQuery("""
                        select id, event_id, event_type, subject_id, status, attempts, changed_at, created_at, next_attempt_at,
                               acknowledged_at, dead_at, last_status_code, last_error
                        from webhook_delivery
                        where subscription_id = $1 and ($2::text is null or status = $2) and ($3::text is null or subject_id = $3)
                          and ($4::bigint is null or id < $4)
                        order by id desc limit $5""")
                .execute(Tuple.from(Arrays.asList(id, status, subjectId, before, size + 1))))
                .flatMap(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    boolean more = list.size() > size;
                    List<Row> page = more ? list.subList(0, size) : list;
                    Long[] ids = page.stream().map(r -> r.getLong("id")).toArray(Long[]::new);
                    return attempts(ids).map(attempts -> new DeliveryPage(page.stream()
                            .map(r -> delivery(r, attempts.getOrDefault(r.getLong("id"), List.of()))).toList(),
                            more ? page.get(page.size() - 1).getLong("id") : null));
                });
    }

    /** Dead-lettered deliveries become PENDING again with a fresh attempt budget, and go out in their original order. */
    public Uni<Integer> replay(String tenant, UUID id, List<Long> deliveryIds) {
        boolean all = deliveryIds == null || deliveryIds.isEmpty();
        return find(tenant, id).flatMap(row -> pool.preparedQuery("""
                                update webhook_delivery set status = 'PENDING', attempts = 0, next_attempt_at = $3, dead_at = null
                                where subscription_id = $1 and status = 'DEAD' and ($2::bigint[] is null or id = any($2))""")
                        .execute(Tuple.from(Arrays.asList(id, all ? null : deliveryIds.toArray(Long[]::new),
                                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC)))))
                .flatMap(rows -> pool.preparedQuery("select pg_notify($1, '')").execute(Tuple.of(WebhookQueue.CHANNEL))
                        .replaceWith(rows.rowCount()));
    }

    private Uni<Row> find(String tenant, UUID id) {
        return pool.preparedQuery("select " + VIEW_COLUMNS + " from webhook_subscription where id = $1 and tenant_id = $2")
                .execute(Tuple.of(id, tenant))
                .map(rows -> single(rows, id));
    }

    private static Row single(RowSet<Row> rows, UUID id) {
        if (rows.size() == 0) {
            throw new ProblemException(CommonProblem.NOT_FOUND, "no webhook subscription " + id);
        }
        return rows.iterator().next();
    }

    /**
     * Why the URL's host may not receive webhooks (it is or resolves to a non-public address), or empty. Resolving
     * blocks, so it runs on a worker thread. A name that does not resolve (yet) is let through: every delivery
     * attempt checks again.
     */
    private Uni<Optional<String>> addressRefusal(SubscriptionRequest body) {
        if (config.webhooks().allowPrivateNetworks() || body == null || body.url() == null || !isDeliverable(body.url())) {
            return Uni.createFrom().item(Optional.empty());
        }
        return Uni.createFrom().item(() -> {
                    try {
                        return PrivateNetworks.check(URI.create(body.url()).getHost(), config.webhooks().allowLoopback());
                    } catch (UnknownHostException e) {
                        return Optional.<String>empty();
                    }
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Uni<Lag> lag(UUID id) {
        OffsetDateTime hourAgo = OffsetDateTime.now(clock).minus(Duration.ofHours(1));
        return pool.preparedQuery("""
                        select count(*) filter (where status = 'PENDING') as pending,
                               count(*) filter (where status = 'DEAD') as dead,
                               count(*) filter (where status = 'DELIVERED') as delivered,
                               min(changed_at) filter (where status <> 'DELIVERED') as oldest_open,
                               max(acknowledged_at) as last_ack,
                               count(*) filter (where acknowledged_at > $2) as recent,
                               percentile_cont(0.5) within group (order by extract(epoch from acknowledged_at - changed_at) * 1000)
                                   filter (where acknowledged_at > $2) as p50,
                               percentile_cont(0.99) within group (order by extract(epoch from acknowledged_at - changed_at) * 1000)
                                   filter (where acknowledged_at > $2) as p99,
                               max(extract(epoch from acknowledged_at - changed_at) * 1000) filter (where acknowledged_at > $2) as worst
                        from webhook_delivery where subscription_id = $1""")
                .execute(Tuple.of(id, hourAgo))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    Instant oldest = instant(r, "oldest_open");
                    return new Lag(r.getLong("pending"), r.getLong("dead"), r.getLong("delivered"), oldest,
                            oldest == null ? null : Duration.between(oldest, clock.instant()).toMillis() / 1000.0,
                            instant(r, "last_ack"),
                            new LagStats(r.getLong("recent"), number(r, "p50"), number(r, "p99"), number(r, "worst")));
                });
    }

    private Uni<Map<Long, List<AttemptView>>> attempts(Long[] deliveryIds) {
        if (deliveryIds.length == 0) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("""
                        select delivery_id, started_at, duration_ms, status_code, error from webhook_attempt
                        where delivery_id = any($1) order by delivery_id, id""")
                .execute(Tuple.of(deliveryIds))
                .map(rows -> {
                    Map<Long, List<AttemptView>> byDelivery = new LinkedHashMap<>();
                    rows.forEach(r -> byDelivery.computeIfAbsent(r.getLong("delivery_id"), k -> new ArrayList<>())
                            .add(new AttemptView(instant(r, "started_at"), r.getInteger("duration_ms"),
                                    r.getInteger("status_code"), r.getString("error"))));
                    return byDelivery;
                });
    }

    private static List<String> validate(SubscriptionRequest body, Optional<String> addressRefusal) {
        if (body == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        RequestErrors errors = new RequestErrors();
        errors.requirePresent(body.url(), "/url").requireMaxLength(body.url(), 2000, "/url")
                .requireMaxLength(body.description(), 500, "/description");
        if (body.url() != null) {
            errors.require(isDeliverable(body.url()), "/url", "must be an absolute http or https URL without user info");
            addressRefusal.ifPresent(why -> errors.require(false, "/url",
                    "must point to a public address, but " + why));
        }
        List<String> types = body.eventTypes() == null || body.eventTypes().isEmpty() ? OPT_OUT_TYPES : body.eventTypes();
        for (int i = 0; i < types.size(); i++) {
            errors.require(EVENT_TYPES.contains(types.get(i)), "/eventTypes/" + i, "is not one of " + EVENT_TYPES);
        }
        errors.throwIfAny();
        return List.copyOf(new LinkedHashSet<>(types));
    }

    private static boolean isDeliverable(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getUserInfo() == null && uri.getFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static SubscriptionView view(Row r, String secret, Lag lag) {
        return new SubscriptionView(r.getUUID("id"), r.getString("url"), Arrays.asList(r.getArrayOfStrings("event_types")),
                r.getString("description"), r.getBoolean("active"), instant(r, "created_at"), instant(r, "secret_rotated_at"),
                instant(r, "previous_secret_valid_until"), secret, lag);
    }

    private static DeliveryView delivery(Row r, List<AttemptView> attempts) {
        Instant changed = instant(r, "changed_at");
        Instant acknowledged = instant(r, "acknowledged_at");
        return new DeliveryView(r.getLong("id"), r.getUUID("event_id"), r.getString("event_type"), r.getString("subject_id"),
                r.getString("status"), r.getInteger("attempts"), changed, instant(r, "created_at"),
                "PENDING".equals(r.getString("status")) ? instant(r, "next_attempt_at") : null, acknowledged,
                acknowledged == null ? null : Duration.between(changed, acknowledged).toMillis(), instant(r, "dead_at"),
                r.getInteger("last_status_code"), r.getString("last_error"), attempts);
    }

    private static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static Double number(Row r, String column) {
        Object value = r.getValue(column);
        return value == null ? null : ((Number) value).doubleValue();
    }
}
