package io.samtykke.preference.preference;

import io.samtykke.contract.Channel;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.QuietHours;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;

import java.time.ZoneId;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** What makes preferences valid. Plain Java: lists every error at once, each with a JSON Pointer into the body. */
public final class PreferenceRules {

    public static final Pattern SUBJECT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+|-]{0,127}");
    public static final Pattern TOPIC = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    static final Pattern TIME_OF_DAY = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
    static final int MAX_TOPICS = 100;
    static final int MAX_PER_PERIOD = 1000;

    /** Channels a person is contacted on: caps and the preferred channel make sense for these only. */
    public static final Set<Channel> CONTACT_CHANNELS =
            EnumSet.of(Channel.EMAIL, Channel.SMS, Channel.PUSH, Channel.PHONE, Channel.IN_APP, Channel.POST);

    private PreferenceRules() {
    }

    public static void validateSubjectId(String subjectId) {
        if (subjectId == null || !SUBJECT_ID.matcher(subjectId).matches()) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/subjectId",
                    "subjectId must be 1-128 characters: letters, digits and . _ : @ + | -");
        }
    }

    /** Throws a {@link CommonProblem#VALIDATION} problem listing everything wrong with {@code p}. */
    public static void validate(Preferences p) {
        if (p == null) {
            throw ProblemException.at(CommonProblem.VALIDATION, "", "a body is required");
        }
        RequestErrors errors = new RequestErrors();
        topics(p.topics(), errors);
        caps(p.frequencyCaps(), errors);
        quietHours(p, errors);
        errors.require(p.timeZone() == null || ZoneId.getAvailableZoneIds().contains(p.timeZone()), "/timeZone",
                        "is not an IANA time zone such as Europe/Copenhagen")
                .requireMatch(p.language(), LANGUAGE, "/language", "language tag (BCP 47, e.g. da or sv-SE)")
                .requireMaxLength(p.language(), 35, "/language")
                .require(p.preferredChannel() == null || CONTACT_CHANNELS.contains(p.preferredChannel()),
                        "/preferredChannel", "must be a contact channel: " + CONTACT_CHANNELS)
                .throwIfAny();
    }

    private static void topics(List<String> topics, RequestErrors errors) {
        if (topics == null) {
            return;
        }
        errors.require(topics.size() <= MAX_TOPICS, "/topics", "has " + topics.size() + " topics; at most " + MAX_TOPICS);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < topics.size(); i++) {
            String topic = topics.get(i);
            errors.requirePresent(topic, "/topics/" + i)
                    .requireMatch(topic, TOPIC, "/topics/" + i, "topic key (a-z, 0-9, . _ -; at most 64)")
                    .require(topic == null || seen.add(topic), "/topics/" + i, "topic '" + topic + "' appears twice");
        }
    }

    private static void caps(Map<Channel, FrequencyCap> caps, RequestErrors errors) {
        if (caps == null) {
            return;
        }
        caps.forEach((channel, cap) -> {
            String at = "/frequencyCaps/" + channel;
            errors.require(CONTACT_CHANNELS.contains(channel), at, "must be a contact channel: " + CONTACT_CHANNELS)
                    .requirePresent(cap, at);
            if (cap != null) {
                errors.requirePresent(cap.max(), at + "/max")
                        .require(cap.max() == null || (cap.max() >= 1 && cap.max() <= MAX_PER_PERIOD), at + "/max",
                                "must be between 1 and " + MAX_PER_PERIOD)
                        .requirePresent(cap.per(), at + "/per");
            }
        });
    }

    private static void quietHours(Preferences p, RequestErrors errors) {
        QuietHours q = p.quietHours();
        if (q == null) {
            return;
        }
        errors.requirePresent(q.start(), "/quietHours/start")
                .requireMatch(q.start(), TIME_OF_DAY, "/quietHours/start", "time of day (HH:mm, 00:00-23:59)")
                .requirePresent(q.end(), "/quietHours/end")
                .requireMatch(q.end(), TIME_OF_DAY, "/quietHours/end", "time of day (HH:mm, 00:00-23:59)")
                .require(q.start() == null || !q.start().equals(q.end()), "/quietHours/end", "must differ from start")
                .require(p.timeZone() != null, "/timeZone", "is required with quietHours: they are local times");
    }
}
