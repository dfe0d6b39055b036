package io.samtykke.preference.decision;

import io.samtykke.contract.Channel;
import io.samtykke.contract.ConsentState;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.Preferences;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.decision.DecisionApi.DecisionRequest;
import io.samtykke.preference.decision.DecisionApi.DecisionResponse;
import io.samtykke.preference.decision.DecisionApi.SendReport;
import io.samtykke.preference.decision.DecisionApi.SendResult;
import io.samtykke.preference.decision.DecisionApi.SubjectDecision;
import io.samtykke.preference.decision.DecisionEngine.Consent;
import io.samtykke.preference.decision.DecisionEngine.Decision;
import io.samtykke.preference.decision.DecisionEngine.Facts;
import io.samtykke.preference.decision.DecisionEngine.Question;
import io.samtykke.preference.decision.DecisionEngine.SendCounts;
import io.samtykke.preference.preference.PreferenceRules;
import io.samtykke.preference.preference.PreferenceService;
import io.samtykke.preference.purpose.PurposeCatalog;
import io.samtykke.preference.purpose.PurposeInfo;
import io.samtykke.preference.topic.TopicService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers decisions from local data only — the consent projection, preferences, reported sends, the catalogs —
 * never by calling consent-service, so a decision costs a few indexed queries however many subjects it covers.
 */
@ApplicationScoped
public class DecisionService {

    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    PreferenceConfig config;

    @Inject
    PreferenceService preferences;

    @Inject
    PurposeCatalog catalog;

    @Inject
    TopicService topics;

    /** The purpose a request is about, resolved from its purpose key or its topic. */
    private record Target(String purposeKey, PurposeInfo purpose) {
    }

    public Uni<DecisionResponse> decide(String tenant, DecisionRequest body) {
        if (body == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        List<String> subjects = subjects(body.subjectId(), body.subjectIds(), body.channel(), body.purpose(), body.topic());
        return target(tenant, body.purpose(), body.topic()).flatMap(target -> {
            Instant now = clock.instant();
            Uni<Map<String, Consent>> consents = consents(tenant, target.purposeKey(), subjects);
            Uni<Map<String, Standing>> erased = standing(tenant, subjects);
            Uni<Map<String, Preferences>> prefs = preferences.many(tenant, subjects);
            Uni<Map<String, SendCounts>> sends = target.purpose() == null || target.purpose().exempt()
                    ? Uni.createFrom().item(Map.of()) : sendCounts(tenant, body.channel(), subjects, now);
            return Uni.combine().all().unis(consents, erased, prefs, sends).asTuple().map(facts -> {
                Question question = new Question(body.channel(), target.purposeKey(), target.purpose(), body.topic());
                List<SubjectDecision> decisions = new ArrayList<>(subjects.size());
                for (String subject : subjects) {
                    Standing standing = facts.getItem2().getOrDefault(subject, Standing.NONE);
                    Decision d = DecisionEngine.decide(question, new Facts(facts.getItem1().get(subject),
                            standing.erased(), standing.restricted(), standing.objected(), facts.getItem3().get(subject),
                            facts.getItem4().getOrDefault(subject, SendCounts.NONE)), now);
                    decisions.add(new SubjectDecision(subject, d.decision(), d.reasons(), d.consent()));
                }
                return new DecisionResponse(body.channel(), target.purposeKey(), body.topic(), now, decisions);
            });
        });
    }

    public Uni<SendResult> recordSends(String tenant, SendReport body) {
        if (body == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        List<String> subjects = subjects(body.subjectId(), body.subjectIds(), body.channel(), body.purpose(), body.topic());
        Instant now = clock.instant();
        Instant sentAt = body.sentAt() == null ? now : body.sentAt();
        new RequestErrors()
                .require(!sentAt.isAfter(now.plus(MAX_CLOCK_SKEW)), "/sentAt", "is in the future")
                .requireMaxLength(body.messageId(), 200, "/messageId")
                .throwIfAny();
        return target(tenant, body.purpose(), body.topic()).flatMap(target -> pool.preparedQuery("""
                        insert into send (tenant_id, subject_id, channel, purpose, topic, message_id, counts_for_cap, sent_at, recorded_at)
                        select $1, s, $3, $4, $5, $6, $7, $8, $9 from unnest($2::text[]) as s
                        on conflict (tenant_id, subject_id, channel, message_id) where message_id is not null do nothing""")
                .execute(Tuple.from(Arrays.asList(tenant, new LinkedHashSet<>(subjects).toArray(String[]::new),
                        body.channel().name(), target.purposeKey(), body.topic(), body.messageId(),
                        target.purpose() == null || !target.purpose().exempt(),
                        OffsetDateTime.ofInstant(sentAt, ZoneOffset.UTC), OffsetDateTime.ofInstant(now, ZoneOffset.UTC))))
                .map(rows -> new SendResult(rows.rowCount(), subjects.size() - rows.rowCount())));
    }

    private List<String> subjects(String subjectId, List<String> subjectIds, Channel channel, String purpose, String topic) {
        int max = config.decisions().maxSubjects();
        if (subjectIds != null && subjectIds.size() > max) {
            throw ProblemException.at(CommonProblem.TOO_MANY_ITEMS, "/subjectIds",
                    subjectIds.size() + " subjects in one request; at most " + max);
        }
        RequestErrors errors = new RequestErrors();
        errors.requirePresent(channel, "/channel")
                .require(purpose != null || topic != null, "/purpose", "give a purpose, a topic, or both")
                .require(subjectId == null || subjectIds == null, "/subjectIds", "give subjectId or subjectIds, not both")
                .require(subjectId != null || (subjectIds != null && !subjectIds.isEmpty()), "/subjectIds",
                        "give subjectId, or subjectIds with at least one subject");
        List<String> subjects = subjectId != null ? List.of(subjectId) : subjectIds == null ? List.of() : subjectIds;
        int invalid = 0;
        for (int i = 0; i < subjects.size() && invalid < 20; i++) {
            String s = subjects.get(i);
            boolean ok = s != null && PreferenceRules.SUBJECT_ID.matcher(s).matches();
            errors.require(ok, subjectId != null ? "/subjectId" : "/subjectIds/" + i,
                    "is not a subject id (1-128 characters: letters, digits and . _ : @ + | -)");
            invalid += ok ? 0 : 1;
        }
        errors.throwIfAny();
        return subjects;
    }

    /** The purpose of the request: as given, or the topic's; a topic must be active and agree with a given purpose. */
    private Uni<Target> target(String tenant, String purposeKey, String topic) {
        Uni<String> key;
        if (topic == null) {
            key = Uni.createFrom().item(purposeKey);
        } else {
            key = TopicService.requireActive(pool, tenant, Map.of("/topic", topic))
                    .flatMap(v -> topics.get(tenant, topic))
                    .map(t -> {
                        if (purposeKey != null && !purposeKey.equals(t.purpose())) {
                            throw ProblemException.at(CommonProblem.VALIDATION, "/purpose", "topic '" + topic
                                    + "' is sent under purpose '" + t.purpose() + "', not '" + purposeKey + "'");
                        }
                        return t.purpose();
                    });
        }
        return key.flatMap(k -> catalog.find(tenant, k).map(info -> new Target(k, info)));
    }

    private Uni<Map<String, Consent>> consents(String tenant, String purpose, List<String> subjects) {
        return pool.preparedQuery("""
                        select subject_id, state, subject_seq, event_id, notice_version, expires_at, changed_at
                        from consent_projection where tenant_id = $1 and purpose = $2 and subject_id = any($3)""")
                .execute(Tuple.of(tenant, purpose, subjects.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Consent> found = new HashMap<>();
                    rows.forEach(r -> found.put(r.getString("subject_id"), new Consent(
                            ConsentState.valueOf(r.getString("state")), r.getLong("subject_seq"), r.getUUID("event_id"),
                            r.getString("notice_version"),
                            r.getOffsetDateTime("expires_at") == null ? null : r.getOffsetDateTime("expires_at").toInstant(),
                            r.getOffsetDateTime("changed_at").toInstant())));
                    return found;
                });
    }

    /** What holds for a person as a whole, beside their consents. */
    private record Standing(boolean erased, boolean restricted, boolean objected) {
        static final Standing NONE = new Standing(false, false, false);
    }

    /** Erasure (consent projection), restriction and objection (subject events) of the subjects that have any. */
    private Uni<Map<String, Standing>> standing(String tenant, List<String> subjects) {
        return pool.preparedQuery("""
                        select coalesce(p.subject_id, s.subject_id) as subject_id, p.erased_at is not null as erased,
                               s.restricted_at is not null as restricted, s.objected_at is not null as objected
                        from (select subject_id, erased_at from projection_subject
                              where tenant_id = $1 and subject_id = any($2) and erased_at is not null) p
                        full join (select subject_id, restricted_at, objected_at from projection_subject_status
                              where tenant_id = $1 and subject_id = any($2)
                                and (restricted_at is not null or objected_at is not null)) s on s.subject_id = p.subject_id""")
                .execute(Tuple.of(tenant, subjects.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, Standing> found = new HashMap<>();
                    rows.forEach(r -> found.put(r.getString("subject_id"), new Standing(Boolean.TRUE.equals(r.getBoolean("erased")),
                            Boolean.TRUE.equals(r.getBoolean("restricted")), Boolean.TRUE.equals(r.getBoolean("objected")))));
                    return found;
                });
    }

    private Uni<Map<String, SendCounts>> sendCounts(String tenant, Channel channel, List<String> subjects, Instant now) {
        return pool.preparedQuery("""
                        select subject_id,
                               count(*) filter (where sent_at > $4) as day,
                               count(*) filter (where sent_at > $5) as week,
                               count(*) as month
                        from send where tenant_id = $1 and channel = $2 and subject_id = any($3) and counts_for_cap
                          and sent_at > $6 and sent_at <= $7
                        group by subject_id""")
                .execute(Tuple.from(Arrays.asList(tenant, channel.name(), subjects.toArray(String[]::new),
                        since(now, FrequencyCap.Period.DAY), since(now, FrequencyCap.Period.WEEK),
                        since(now, FrequencyCap.Period.MONTH), OffsetDateTime.ofInstant(now, ZoneOffset.UTC))))
                .map(rows -> {
                    Map<String, SendCounts> found = new HashMap<>();
                    rows.forEach(r -> {
                        Map<FrequencyCap.Period, Long> counts = new EnumMap<>(FrequencyCap.Period.class);
                        counts.put(FrequencyCap.Period.DAY, r.getLong("day"));
                        counts.put(FrequencyCap.Period.WEEK, r.getLong("week"));
                        counts.put(FrequencyCap.Period.MONTH, r.getLong("month"));
                        found.put(r.getString("subject_id"), new SendCounts(counts));
                    });
                    return found;
                });
    }

    private static OffsetDateTime since(Instant now, FrequencyCap.Period period) {
        return OffsetDateTime.ofInstant(now.minus(period.window()), ZoneOffset.UTC);
    }
}
