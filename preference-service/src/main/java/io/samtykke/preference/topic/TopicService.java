package io.samtykke.preference.topic;

import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.preference.json.JsonColumns;
import io.samtykke.preference.preference.PreferenceRules;
import io.samtykke.preference.topic.TopicApi.TopicRequest;
import io.samtykke.preference.topic.TopicApi.TopicView;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The tenant's topic catalog: what a person may follow, each topic under one consent purpose. */
@ApplicationScoped
public class TopicService {

    static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    private static final Pattern PURPOSE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    JsonColumns json;

    /** The stored topic and whether it was created (true) or replaced (false). */
    public record Put(TopicView topic, boolean created) {
    }

    public Uni<List<TopicView>> list(String tenant) {
        return pool.preparedQuery("""
                        select key, names::text, descriptions::text, purpose, active, created_at, updated_at
                        from topic where tenant_id = $1 order by key""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<TopicView> topics = new ArrayList<>();
                    rows.forEach(r -> topics.add(view(r)));
                    return topics;
                });
    }

    public Uni<TopicView> get(String tenant, String key) {
        return pool.preparedQuery("""
                        select key, names::text, descriptions::text, purpose, active, created_at, updated_at
                        from topic where tenant_id = $1 and key = $2""")
                .execute(Tuple.of(tenant, key))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw new ProblemException(CommonProblem.NOT_FOUND, "no topic '" + key + "' in this tenant's catalog");
                    }
                    return view(rows.iterator().next());
                });
    }

    public Uni<Put> put(String tenant, String key, TopicRequest body) {
        validate(key, body);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return pool.preparedQuery("""
                        insert into topic (tenant_id, key, names, descriptions, purpose, active, created_at, updated_at)
                        values ($1, $2, $3::text::jsonb, $4::text::jsonb, $5, $6, $7, $7)
                        on conflict (tenant_id, key) do update set names = excluded.names, descriptions = excluded.descriptions,
                            purpose = excluded.purpose, active = excluded.active, updated_at = excluded.updated_at
                        returning key, names::text, descriptions::text, purpose, active, created_at, updated_at,
                                  (xmax = 0) as created""")
                .execute(Tuple.from(List.of(tenant, key, json.write(body.names()), json.write(orEmpty(body.descriptions())),
                        body.purpose(), body.active() == null || body.active(), now)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Put(view(r), r.getBoolean("created"));
                });
    }

    /**
     * Refuses topic keys that are not active topics of the tenant's catalog; {@code topicsByPointer} maps the JSON
     * Pointer of each key in the request body to the key. Runs on {@code client}, so a write can check in its transaction.
     */
    public static Uni<Void> requireActive(SqlClient client, String tenant, Map<String, String> topicsByPointer) {
        if (topicsByPointer.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return client.preparedQuery("select key from topic where tenant_id = $1 and key = any($2) and active")
                .execute(Tuple.of(tenant, topicsByPointer.values().toArray(String[]::new)))
                .map(rows -> {
                    Set<String> known = new HashSet<>();
                    rows.forEach(r -> known.add(r.getString("key")));
                    RequestErrors errors = new RequestErrors();
                    topicsByPointer.forEach((pointer, topic) -> errors.require(known.contains(topic), pointer,
                            "'" + topic + "' is not an active topic of this tenant's catalog (GET /v1/topics)"));
                    errors.throwIfAny();
                    return null;
                });
    }

    private static void validate(String key, TopicRequest body) {
        if (key == null || !PreferenceRules.TOPIC.matcher(key).matches()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/key", "a topic key is 1-64 characters: a-z, 0-9, . _ -");
        }
        if (body == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        RequestErrors errors = new RequestErrors();
        errors.require(body.names() != null && !body.names().isEmpty(), "/names", "at least one name is required");
        texts(body.names(), "/names", 200, errors);
        texts(body.descriptions(), "/descriptions", 2000, errors);
        errors.requirePresent(body.purpose(), "/purpose")
                .requireMatch(body.purpose(), PURPOSE, "/purpose", "purpose key")
                .throwIfAny();
    }

    private static void texts(Map<String, String> texts, String pointer, int maxLength, RequestErrors errors) {
        if (texts == null) {
            return;
        }
        errors.require(texts.size() <= 50, pointer, "at most 50 languages");
        texts.forEach((language, text) -> errors
                .require(language != null && LANGUAGE.matcher(language).matches(), pointer + "/" + language,
                        "is not a language tag (BCP 47, e.g. da or sv-SE)")
                .requirePresent(text, pointer + "/" + language)
                .requireMaxLength(text, maxLength, pointer + "/" + language));
    }

    private static Map<String, String> orEmpty(Map<String, String> texts) {
        return texts == null ? Map.of() : texts;
    }

    private TopicView view(Row r) {
        return new TopicView(r.getString("key"), json.texts(r.getString("names")), json.texts(r.getString("descriptions")),
                r.getString("purpose"), r.getBoolean("active"), r.getOffsetDateTime("created_at").toInstant(),
                r.getOffsetDateTime("updated_at").toInstant());
    }
}
