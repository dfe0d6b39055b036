package io.samtykke.preference.preference;

import io.samtykke.contract.Channel;
import io.samtykke.contract.FrequencyCap;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.QuietHours;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.Problem;
import io.samtykke.kit.problem.ProblemException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreferenceRulesTest {

    static final Preferences VALID = new Preferences(List.of("ride-offers"),
            Map.of(Channel.EMAIL, new FrequencyCap(2, FrequencyCap.Period.WEEK)),
            new QuietHours("22:00", "07:00"), "Europe/Copenhagen", "da", Channel.PUSH);

    @Test
    void completePreferencesAreValid() {
        assertDoesNotThrow(() -> PreferenceRules.validate(VALID));
    }

    @Test
    void emptyPreferencesAreValid() {
        assertDoesNotThrow(() -> PreferenceRules.validate(new Preferences(null, null, null, null, null, null)));
        assertDoesNotThrow(() -> PreferenceRules.validate(Preferences.NONE));
    }

    @Test
    void quietHoursMaySpanMidnightOrNot() {
        assertDoesNotThrow(() -> PreferenceRules.validate(withQuietHours("00:00", "06:30")));
        assertDoesNotThrow(() -> PreferenceRules.validate(withQuietHours("23:59", "00:00")));
    }

    @Test
    void quietHoursMustBeTwoDifferentTimesOfDay() {
        assertEquals(List.of("/quietHours/start"), pointers(withQuietHours("24:00", "06:00")));
        assertEquals(List.of("/quietHours/end"), pointers(withQuietHours("22:00", "6:00")));
        assertEquals(List.of("/quietHours/end"), pointers(withQuietHours("22:00", "22:00")));
        assertEquals(List.of("/quietHours/start"), pointers(withQuietHours(null, "06:00")));
    }

    @Test
    void onlyIanaTimeZonesAreAccepted() {
        assertEquals(List.of("/timeZone"), pointers(withZone("+02:00")));
        assertEquals(List.of("/timeZone"), pointers(withZone("CEST")));
        assertEquals(List.of("/timeZone"), pointers(withZone("europe/copenhagen")));
        assertDoesNotThrow(() -> PreferenceRules.validate(withZone("America/Argentina/Buenos_Aires")));
        assertDoesNotThrow(() -> PreferenceRules.validate(withZone("UTC")));
    }

    @Test
    void capsArePositiveAndBoundedAndOnlyForContactChannels() {
        assertEquals(List.of("/frequencyCaps/EMAIL/max"), pointers(withCap(Channel.EMAIL, new FrequencyCap(0, FrequencyCap.Period.DAY))));
        assertEquals(List.of("/frequencyCaps/EMAIL/max"), pointers(withCap(Channel.EMAIL, new FrequencyCap(-3, FrequencyCap.Period.DAY))));
        assertEquals(List.of("/frequencyCaps/EMAIL/max"), pointers(withCap(Channel.EMAIL, new FrequencyCap(1001, FrequencyCap.Period.DAY))));
        assertEquals(List.of("/frequencyCaps/SMS/max", "/frequencyCaps/SMS/per"), pointers(withCap(Channel.SMS, new FrequencyCap(null, null))));
        assertEquals(List.of("/frequencyCaps/COOKIE"), pointers(withCap(Channel.COOKIE, new FrequencyCap(1, FrequencyCap.Period.DAY))));
        assertEquals(List.of("/frequencyCaps/POST"), pointers(withCap(Channel.POST, null)));
    }

    @Test
    void topicsAreKeysListedOnce() {
        assertEquals(List.of("/topics/1", "/topics/2"), pointers(withTopics(Arrays.asList("news", "News!", null))));
        assertEquals(List.of("/topics/2"), pointers(withTopics(List.of("news", "offers", "news"))));
        assertEquals(List.of("/topics"), pointers(withTopics(IntStream.range(0, 101).mapToObj(i -> "t" + i).toList())));
    }

    @Test
    void thePreferredChannelIsOneAPersonIsContactedOn() {
        assertEquals(List.of("/preferredChannel"), pointers(new Preferences(null, null, null, null, null, Channel.LOCATION)));
    }

    @Test
    void languageIsABcp47Tag() {
        assertDoesNotThrow(() -> PreferenceRules.validate(new Preferences(null, null, null, null, "sv-SE", null)));
        assertEquals(List.of("/language"), pointers(new Preferences(null, null, null, null, "Swedish", null)));
    }

    @Test
    void subjectIdsAreBoundedIdentifiers() {
        assertDoesNotThrow(() -> PreferenceRules.validateSubjectId("user-42@taxa.dk"));
        assertThrows(ProblemException.class, () -> PreferenceRules.validateSubjectId("a/b"));
        assertThrows(ProblemException.class, () -> PreferenceRules.validateSubjectId("x".repeat(129)));
    }

    @Test
    void normalizedFormTreatsAbsentListsAsEmpty() {
        assertEquals(Preferences.NONE, new Preferences(null, null, null, null, null, null).normalized());
    }

    private static List<String> pointers(Preferences p) {
        ProblemException e = assertThrows(ProblemException.class, () -> PreferenceRules.validate(p));
        assertEquals(CommonProblem.VALIDATION, e.type());
        return e.errors().stream().map(Problem.FieldError::pointer).toList();
    }

    private static Preferences withQuietHours(String start, String end) {
        return new Preferences(null, null, new QuietHours(start, end), "Europe/Oslo", null, null);
    }

    private static Preferences withZone(String zone) {
        return new Preferences(null, null, null, zone, null, null);
    }

    private static Preferences withCap(Channel channel, FrequencyCap cap) {
        Map<Channel, FrequencyCap> caps = new EnumMap<>(Channel.class);
        caps.put(channel, cap);
        return new Preferences(null, caps, null, null, null, null);
    }

    private static Preferences withTopics(List<String> topics) {
        return new Preferences(topics, null, null, null, null, null);
    }
}
