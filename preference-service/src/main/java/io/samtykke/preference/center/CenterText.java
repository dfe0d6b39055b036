package io.samtykke.preference.center;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;

/**
 * The preference center's own words in English, Danish and Swedish, kept as resource bundles under {@code center/} so
 * a translator edits one file per language; purpose and topic names come from the catalogs.
 */
public final class CenterText {

    public static final List<String> LANGUAGES = List.of("en", "da", "sv");

    /** center/text.properties (English, also for any text a language lacks), center/text_da.properties, …. */
    private static final String BUNDLE = "center.text";
    /** Never the JVM's default locale's bundle: a language this page speaks falls back to English only. */
    private static final ResourceBundle.Control NO_DEFAULT_LOCALE =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

    private final String language;
    private final ResourceBundle texts;

    private CenterText(String language) {
        this.language = language;
        this.texts = ResourceBundle.getBundle(BUNDLE, Locale.forLanguageTag(language), CenterText.class.getClassLoader(),
                NO_DEFAULT_LOCALE);
    }

    /** The first of {@code candidates} (BCP 47 tags, or Accept-Language values) that the page speaks, else English. */
    public static CenterText in(String... candidates) {
        for (String candidate : candidates) {
            if (candidate == null) {
                continue;
            }
            for (String part : candidate.split(",")) {
                String primary = part.split(";")[0].trim().split("-")[0].toLowerCase(Locale.ROOT);
                if (LANGUAGES.contains(primary)) {
                    return new CenterText(primary);
                }
            }
        }
        return new CenterText("en");
    }

    public String language() {
        return language;
    }

    /** The text in this language, else in English, else the key itself. */
    public String get(String key) {
        return texts.containsKey(key) ? texts.getString(key) : key;
    }

    /** A name or description from a catalog in this language, else English, else any, else {@code fallback}. */
    public String pick(Map<String, String> texts, String fallback) {
        if (texts == null || texts.isEmpty()) {
            return fallback;
        }
        for (Map.Entry<String, String> e : texts.entrySet()) {
            if (e.getKey().split("-")[0].equalsIgnoreCase(language)) {
                return e.getValue();
            }
        }
        return texts.getOrDefault("en", texts.values().iterator().next());
    }
}
