package io.samtykke.preference.preference;

import com.fasterxml.jackson.core.type.TypeReference;
import io.samtykke.contract.Channel;
import io.samtykke.contract.EventJson;
import io.samtykke.contract.EventSchemas;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.PreferenceEvent;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.QuietHours;
import io.samtykke.contract.Schemas;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.json.JsonColumns;
import io.samtykke.preference.outbox.PreferenceOutboxRelay;
import io.samtykke.preference.problem.PreferenceProblem;
import io.samtykke.preference.topic.TopicService;
import io.samtykke.preference.webhook.WebhookQueue;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reads and replaces a subject's preferences. A change is written in ONE transaction with its
 * outbox row and its webhook deliveries, so it reaches Kafka and webhook subscribers exactly when it
 * is stored; a PUT that changes nothing stores nothing.
 */
@ApplicationScoped
public class PreferenceService {

    /** W3C trace context; anything else in the header is not passed on. */
    private static final Pattern TRACEPARENT = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
    private static final TypeReference<List<String>> TOPICS = new TypeReference<>() {
    };
    private static final TypeReference<Map<Channel, FrequencyCap>> CAPS = new TypeReference<>() {
    };
    private static final TypeReference<QuietHours> QUIET_HOURS = new TypeReference<>() {
    };

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    JsonColumns json;

    /** Preferences as stored: version 0 (and no updatedAt) when the subject never stored any. */
    public record Stored(Preferences preferences, long version, Instant updatedAt) {
        public String etag() {
            return "\"" + version + "\"";
        }
    }

    public Uni<Stored> get(String tenant, String subjectId) {
        return pool.preparedQuery("""
                        select topics::text, frequency_caps::text, quiet_hours::text, time_zone, language,
                               preferred_channel, version, updated_at
                        from preference where tenant_id = $1 and subject_id = $2""")
                .execute(Tuple.of(tenant, subjectId))
                .map(rows -> rows.size() == 0 ? new Stored(Preferences.NONE, 0, null) : stored(rows.iterator().next()));
    }

    /** The stored preferences of each of {@code subjectIds} that has any; the others are absent from the map. */
    public Uni<Map<String, Preferences>> many(String tenant, List<String> subjectIds) {
        return pool.preparedQuery("""
                        select subject_id, topics::text, frequency_caps::text, quiet_hours::text, time_zone, language,
                               preferred_channel, version, updated_at
                        from preference where tenant_id = $1 and subject_id = any($2) and version > 0""")
                .execute(Tuple.of(tenant, subjectIds.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Preferences> found = new HashMap<>();
                    rows.forEach(r -> found.put(r.getString("subject_id"), stored(r).preferences()));
                    return found;
                });
    }

    /** Replaces the preferences; {@code ifMatch} (an ETag from a read) refuses the write when they changed since. */
    public Uni<Stored> put(String tenant, String subjectId, Preferences requested, String ifMatch, String traceparent) {
        Preferences wanted = requested.normalized();
        String trace = traceparent != null && TRACEPARENT.matcher(traceparent).matches() ? traceparent : null;
        Map<String, String> topics = new LinkedHashMap<>();
        for (int i = 0; i < wanted.topics().size(); i++) {
            topics.put("/topics/" + i, wanted.topics().get(i));
        }
        return pool.withTransaction(conn -> lockOrCreate(conn, tenant, subjectId).flatMap(current -> {
            checkIfMatch(ifMatch, current);
            if (current.version() > 0 && current.preferences().equals(wanted)) {
                return Uni.createFrom().item(current);
            }
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            Stored next = new Stored(wanted, current.version() + 1, now);
            PreferenceEvent event = new PreferenceEvent(UUID.randomUUID(), tenant, subjectId, next.version(), wanted, now);
            // topics a subject already follows may stay after the catalog deactivates them; new ones must be active
            Map<String, String> added = new LinkedHashMap<>(topics);
            added.values().removeAll(current.preferences().topics());
            return TopicService.requireActive(conn, tenant, added)
                    .flatMap(v -> update(conn, tenant, subjectId, next))
                    .flatMap(v -> appendToOutbox(conn, event, trace))
                    .flatMap(v -> WebhookQueue.enqueue(conn, tenant, subjectId, event.eventId(), PreferenceEvent.TYPE,
                            EventJson.write(event), now))
                    .replaceWith(next);
        }));
    }

    /** Locks the subject's row, creating an empty version-0 row first, so concurrent writes of one subject queue up. */
    private Uni<Stored> lockOrCreate(SqlConnection conn, String tenant, String subjectId) {
        return conn.preparedQuery("""
                        insert into preference (tenant_id, subject_id, topics, frequency_caps, version, updated_at)
                        values ($1, $2, '[]', '{}', 0, $3)
                        on conflict (tenant_id, subject_id) do update set version = preference.version
                        returning topics::text, frequency_caps::text, quiet_hours::text, time_zone, language,
                                  preferred_channel, version, updated_at""")
                .execute(Tuple.of(tenant, subjectId, OffsetDateTime.now(clock)))
                .map(rows -> {
                    Stored s = stored(rows.iterator().next());
                    return s.version() == 0 ? new Stored(Preferences.NONE, 0, null) : s;
                });
    }

    private Uni<Void> update(SqlConnection conn, String tenant, String subjectId, Stored next) {
        Preferences p = next.preferences();
        return conn.preparedQuery("""
                        update preference set topics = $3::text::jsonb, frequency_caps = $4::text::jsonb, quiet_hours = $5::text::jsonb,
                            time_zone = $6, language = $7, preferred_channel = $8, version = $9, updated_at = $10
                        where tenant_id = $1 and subject_id = $2""")
                .execute(Tuple.from(Arrays.asList(tenant, subjectId, json.write(p.topics()), json.write(p.frequencyCaps()),
                        p.quietHours() == null ? null : json.write(p.quietHours()), p.timeZone(), p.language(),
                        p.preferredChannel() == null ? null : p.preferredChannel().name(), next.version(),
                        OffsetDateTime.ofInstant(next.updatedAt(), ZoneOffset.UTC))))
                .replaceWithVoid();
    }

    private Uni<Void> appendToOutbox(SqlConnection conn, PreferenceEvent e, String traceparent) {
        // the producer keeps the event contract: what it publishes validates, or nothing is stored
        EventSchemas.Checked checked = EventSchemas.check(Schemas.PREFERENCE_EVENT, e);
        String payload = checked.json();
        List<EventSchemas.Violation> violations = checked.violations();
        if (!violations.isEmpty()) {
            throw new ProblemException(CommonProblem.VALIDATION, "the preference event would break the event contract: "
                    + violations.get(0).message(), violations.stream()
                    .map(v -> new Problem.FieldError("the preference event would break the event contract: " + v.message(),
                            v.pointer().replaceFirst("^/preferences", "")))
                    .toList());
        }
        return conn.preparedQuery("""
                        insert into outbox (tenant_id, subject_id, subject_seq, event_id, event_type, payload, traceparent,
                            created_at)
                        values ($1, $2, $3, $4, $5, $6, $7, $8)""")
                .execute(Tuple.from(Arrays.asList(e.tenantId(), e.subjectId(), e.version(), e.eventId(),
                        PreferenceEvent.TYPE, payload, traceparent,
                        OffsetDateTime.ofInstant(e.updatedAt(), ZoneOffset.UTC))))
                .flatMap(v -> conn.preparedQuery("select pg_notify($1, '')").execute(Tuple.of(PreferenceOutboxRelay.CHANNEL)))
                .replaceWithVoid();
    }

    private static void checkIfMatch(String ifMatch, Stored current) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return;
        }
        for (String candidate : ifMatch.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(current.etag())) {
                return;
            }
        }
        throw new ProblemException(PreferenceProblem.PRECONDITION_FAILED,
                "If-Match " + ifMatch + " does not match the current ETag " + current.etag());
    }

    private Stored stored(Row r) {
        String quietHours = r.getString("quiet_hours");
        String channel = r.getString("preferred_channel");
        Preferences p = new Preferences(json.read(r.getString("topics"), TOPICS), json.read(r.getString("frequency_caps"), CAPS),
                quietHours == null ? null : json.read(quietHours, QUIET_HOURS),
                r.getString("time_zone"), r.getString("language"), channel == null ? null : Channel.valueOf(channel));
        return new Stored(p.normalized(), r.getLong("version"), r.getOffsetDateTime("updated_at").toInstant());
    }
}
