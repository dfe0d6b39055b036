package io.samtykke.preference.center;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CenterTextTest {

    @Test
    void thePersonsOwnLanguageWinsThenTheLinksThenTheBrowsers() {
        assertEquals("sv", CenterText.in("sv-SE", "da", "en-GB,en;q=0.9").language());
        assertEquals("da", CenterText.in(null, "da", "en-GB,en;q=0.9").language());
        assertEquals("da", CenterText.in(null, null, "fr-FR;q=0.9, da;q=0.8").language());
        assertEquals("en", CenterText.in(null, null, "fr-FR").language());
        assertEquals("en", CenterText.in().language());
    }

    @Test
    void everyLanguageHasEveryText() {
        for (String key : new String[]{"title", "withdraw", "unsubscribe", "unsubscribeAll", "done.withdraw", "error.expired"}) {
            assertEquals(3, CenterText.LANGUAGES.stream().map(l -> CenterText.in(l).get(key)).distinct().count(), key);
        }
    }

    @Test
    void catalogNamesArePickedInThePagesLanguageElseEnglish() {
        Map<String, String> names = Map.of("da", "Nyhedsbrev", "en", "Newsletter");
        assertEquals("Nyhedsbrev", CenterText.in("da").pick(names, "newsletter"));
        assertEquals("Newsletter", CenterText.in("sv").pick(names, "newsletter"));
        assertEquals("newsletter", CenterText.in("sv").pick(Map.of(), "newsletter"));
    }
}
