package io.samtykke.preference.center;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The preference center's own words in English, Danish and Swedish; purpose and topic names come from the catalogs. */
public final class CenterText {

    public static final List<String> LANGUAGES = List.of("en", "da", "sv");

    private static final Map<String, Map<String, String>> TEXT = Map.of(
            "en", Map.ofEntries(
                    Map.entry("title", "Your choices"),
                    Map.entry("intro", "Here you see what you agreed to, and you can stop any of it at any time. It takes one click."),
                    Map.entry("purposes", "What you agreed to"),
                    Map.entry("topics", "Topics you follow"),
                    Map.entry("always", "Always sent"),
                    Map.entry("alwaysNote", "Formal notices about your account, orders and our terms are sent regardless of these choices."),
                    Map.entry("withdraw", "Withdraw"),
                    Map.entry("unsubscribe", "Unsubscribe"),
                    Map.entry("unsubscribeAll", "Unsubscribe from everything"),
                    Map.entry("unsubscribeAllNote", "Stops all marketing from us on every channel, and every topic."),
                    Map.entry("following", "Following"),
                    Map.entry("notFollowing", "Not following"),
                    Map.entry("nothing", "Nothing here."),
                    Map.entry("state.GRANTED", "Agreed"),
                    Map.entry("state.PENDING_CONFIRMATION", "Waiting for your confirmation"),
                    Map.entry("state.DENIED", "Declined"),
                    Map.entry("state.WITHDRAWN", "Withdrawn"),
                    Map.entry("state.EXPIRED", "Expired"),
                    Map.entry("state.OBJECTED", "Stopped"),
                    Map.entry("state.NONE", "Not given"),
                    Map.entry("state.ACTIVE", "On, until you say stop"),
                    Map.entry("done.withdraw", "Done: you withdrew your consent to “%s”."),
                    Map.entry("done.topic", "Done: you no longer follow “%s”."),
                    Map.entry("done.all", "Done: you are unsubscribed from everything we send for marketing."),
                    Map.entry("done.later", "Your choice is recorded; it may take a moment to show on this page."),
                    Map.entry("error.unavailable", "We could not record your choice just now. Please try again in a moment."),
                    Map.entry("error.invalid", "This link is not valid. Use the link in the email we sent you."),
                    Map.entry("error.expired", "This link has expired. Use the link in a newer email from us."),
                    Map.entry("unsubscribe.title", "Unsubscribe"),
                    Map.entry("unsubscribe.confirm", "Do you want to unsubscribe?"),
                    Map.entry("unsubscribe.done", "You are unsubscribed."),
                    Map.entry("unsubscribe.more", "See and change all your choices")),
            "da", Map.ofEntries(
                    Map.entry("title", "Dine valg"),
                    Map.entry("intro", "Her kan du se, hvad du har sagt ja til, og stoppe det når som helst. Det kræver ét klik."),
                    Map.entry("purposes", "Det har du sagt ja til"),
                    Map.entry("topics", "Emner du følger"),
                    Map.entry("always", "Sendes altid"),
                    Map.entry("alwaysNote", "Formelle meddelelser om din konto, dine ordrer og vores vilkår sendes uanset disse valg."),
                    Map.entry("withdraw", "Træk tilbage"),
                    Map.entry("unsubscribe", "Afmeld"),
                    Map.entry("unsubscribeAll", "Afmeld alt"),
                    Map.entry("unsubscribeAllNote", "Stopper al markedsføring fra os på alle kanaler og alle emner."),
                    Map.entry("following", "Følger"),
                    Map.entry("notFollowing", "Følger ikke"),
                    Map.entry("nothing", "Intet her."),
                    Map.entry("state.GRANTED", "Givet"),
                    Map.entry("state.PENDING_CONFIRMATION", "Afventer din bekræftelse"),
                    Map.entry("state.DENIED", "Afvist"),
                    Map.entry("state.WITHDRAWN", "Trukket tilbage"),
                    Map.entry("state.EXPIRED", "Udløbet"),
                    Map.entry("state.OBJECTED", "Stoppet"),
                    Map.entry("state.NONE", "Ikke givet"),
                    Map.entry("state.ACTIVE", "Til, indtil du siger stop"),
                    Map.entry("done.withdraw", "Sket: du har trukket dit samtykke til “%s” tilbage."),
                    Map.entry("done.topic", "Sket: du følger ikke længere “%s”."),
                    Map.entry("done.all", "Sket: du er afmeldt alt, hvad vi sender som markedsføring."),
                    Map.entry("done.later", "Dit valg er registreret; det kan tage et øjeblik, før det vises her."),
                    Map.entry("error.unavailable", "Vi kunne ikke registrere dit valg lige nu. Prøv igen om et øjeblik."),
                    Map.entry("error.invalid", "Linket er ikke gyldigt. Brug linket i den e-mail, vi har sendt dig."),
                    Map.entry("error.expired", "Linket er udløbet. Brug linket i en nyere e-mail fra os."),
                    Map.entry("unsubscribe.title", "Afmeld"),
                    Map.entry("unsubscribe.confirm", "Vil du afmelde dig?"),
                    Map.entry("unsubscribe.done", "Du er afmeldt."),
                    Map.entry("unsubscribe.more", "Se og ændr alle dine valg")),
            "sv", Map.ofEntries(
                    Map.entry("title", "Dina val"),
                    Map.entry("intro", "Här ser du vad du har samtyckt till, och du kan stoppa det när som helst. Det krävs ett klick."),
                    Map.entry("purposes", "Det här har du samtyckt till"),
                    Map.entry("topics", "Ämnen du följer"),
                    Map.entry("always", "Skickas alltid"),
                    Map.entry("alwaysNote", "Formella meddelanden om ditt konto, dina beställningar och våra villkor skickas oavsett dessa val."),
                    Map.entry("withdraw", "Återkalla"),
                    Map.entry("unsubscribe", "Avregistrera"),
                    Map.entry("unsubscribeAll", "Avregistrera allt"),
                    Map.entry("unsubscribeAllNote", "Stoppar all marknadsföring från oss i alla kanaler och alla ämnen."),
                    Map.entry("following", "Följer"),
                    Map.entry("notFollowing", "Följer inte"),
                    Map.entry("nothing", "Inget här."),
                    Map.entry("state.GRANTED", "Givet"),
                    Map.entry("state.PENDING_CONFIRMATION", "Väntar på din bekräftelse"),
                    Map.entry("state.DENIED", "Avböjt"),
                    Map.entry("state.WITHDRAWN", "Återkallat"),
                    Map.entry("state.EXPIRED", "Utgånget"),
                    Map.entry("state.OBJECTED", "Stoppat"),
                    Map.entry("state.NONE", "Inte givet"),
                    Map.entry("state.ACTIVE", "På, tills du säger stopp"),
                    Map.entry("done.withdraw", "Klart: du har återkallat ditt samtycke till ”%s”."),
                    Map.entry("done.topic", "Klart: du följer inte längre ”%s”."),
                    Map.entry("done.all", "Klart: du är avregistrerad från allt vi skickar som marknadsföring."),
                    Map.entry("done.later", "Ditt val är registrerat; det kan ta en stund innan det syns här."),
                    Map.entry("error.unavailable", "Vi kunde inte registrera ditt val just nu. Försök igen om en stund."),
                    Map.entry("error.invalid", "Länken är inte giltig. Använd länken i e-postmeddelandet vi skickade."),
                    Map.entry("error.expired", "Länken har gått ut. Använd länken i ett nyare e-postmeddelande från oss."),
                    Map.entry("unsubscribe.title", "Avregistrera"),
                    Map.entry("unsubscribe.confirm", "Vill du avregistrera dig?"),
                    Map.entry("unsubscribe.done", "Du är avregistrerad."),
                    Map.entry("unsubscribe.more", "Se och ändra alla dina val")));

    private final String language;

    private CenterText(String language) {
        this.language = language;
    }

    /** The first of {@code candidates} (BCP 47 tags, or Accept-Language values) that the page speaks, else English. */
    public static CenterText in(String... candidates) {
        for (String candidate : candidates) {
            if (candidate == null) {
                continue;
            }
            for (String part : candidate.split(",")) {
                String primary = part.split(";")[0].trim().split("-")[0].toLowerCase(Locale.ROOT);
                if (TEXT.containsKey(primary)) {
                    return new CenterText(primary);
                }
            }
        }
        return new CenterText("en");
    }

    public String language() {
        return language;
    }

    public String get(String key) {
        String text = TEXT.get(language).get(key);
        return text != null ? text : TEXT.get("en").getOrDefault(key, key);
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
