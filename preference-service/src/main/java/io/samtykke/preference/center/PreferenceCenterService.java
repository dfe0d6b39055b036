package io.samtykke.preference.center;

import io.samtykke.contract.ConsentState;
import io.samtykke.contract.LegalBasis;
import io.samtykke.contract.Preferences;
import io.samtykke.contract.PurposeCategory;
import io.samtykke.preference.center.CenterPage.Labels;
import io.samtykke.preference.center.CenterPage.Row;
import io.samtykke.preference.config.PreferenceConfig;
import io.samtykke.preference.consentservice.ConsentServiceClient;
import io.samtykke.preference.consentservice.ConsentServiceClient.Evidence;
import io.samtykke.preference.preference.PreferenceService;
import io.samtykke.preference.purpose.PurposeCatalog;
import io.samtykke.preference.purpose.PurposeInfo;
import io.samtykke.preference.topic.TopicApi.TopicView;
import io.samtykke.preference.topic.TopicService;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the preference center and one-click unsubscribe do for the person a link names. Withdrawals are recorded
 * in consent-service, the source of truth, as WITHDRAW records with the person as actor; topic unsubscribes
 * change preference-service's own preferences. Reads come from the projection, like decisions.
 */
@ApplicationScoped
public class PreferenceCenterService {

    @Inject
    Pool pool;

    @Inject
    Clock clock;

    @Inject
    PreferenceConfig config;

    @Inject
    PreferenceService preferences;

    @Inject
    TopicService topics;

    @Inject
    PurposeCatalog catalog;

    @Inject
    ConsentServiceClient consentService;

    /** The outcome of an action: whether the projection shows it yet, and the name of what it was about. */
    public record Done(boolean visible, String name) {
    }

    public Uni<CenterPage> page(LinkToken link, String token, String acceptLanguage, String notice, String error) {
        Uni<PreferenceService.Stored> prefs = preferences.get(link.tenant(), link.subjectId());
        Uni<Map<String, PurposeInfo>> purposes = catalog.all(link.tenant());
        Uni<Map<String, ConsentState>> states = states(link.tenant(), link.subjectId());
        Uni<List<TopicView>> catalogTopics = topics.list(link.tenant());
        catalog.refreshSoon(link.tenant(), false);
        return Uni.combine().all().unis(prefs, purposes, states, catalogTopics).asTuple().map(t -> {
            Preferences p = t.getItem1().preferences();
            CenterText text = CenterText.in(p.language(), link.language(), acceptLanguage);
            List<Row> purposeRows = new ArrayList<>();
            List<String> always = new ArrayList<>();
            t.getItem2().values().forEach(info -> {
                String name = text.pick(info.names(), info.key());
                if (info.exempt()) {
                    if (info.active()) {
                        always.add(name);
                    }
                    return;
                }
                ConsentState state = t.getItem3().getOrDefault(info.key(), ConsentState.NONE);
                if (!info.active() && state == ConsentState.NONE) {
                    return;
                }
                boolean active = contacts(info, state);
                // a legitimate-interest purpose nobody objected to is on without any record: say so
                String shown = active && info.legalBasis() != LegalBasis.CONSENT && state == ConsentState.NONE
                        ? "ACTIVE" : state.name();
                purposeRows.add(new Row(info.key(), name, text.pick(info.descriptions(), ""), shown, "state state-" + shown,
                        text.get("state." + shown), active));
            });
            List<Row> topicRows = new ArrayList<>();
            for (TopicView topic : t.getItem4()) {
                boolean following = p.topics().contains(topic.key());
                if (topic.active() || following) {
                    topicRows.add(new Row(topic.key(), text.pick(topic.names(), topic.key()),
                            text.pick(topic.descriptions(), ""), following, "state",
                            text.get(following ? "following" : "notFollowing"), following));
                }
            }
            Labels labels = new Labels(text.get("purposes"), text.get("topics"), text.get("always"), text.get("alwaysNote"),
                    text.get("withdraw"), text.get("unsubscribe"), text.get("unsubscribeAll"), text.get("unsubscribeAllNote"),
                    text.get("nothing"));
            return new CenterPage(text.language(), text.get("title"), text.get("intro"), token, notice, error, labels,
                    purposeRows, topicRows, always);
        });
    }

    /** The words of the page for this link, for messages rendered without the page's data. */
    public Uni<CenterText> text(LinkToken link, String acceptLanguage) {
        return preferences.get(link.tenant(), link.subjectId())
                .map(s -> CenterText.in(s.preferences().language(), link.language(), acceptLanguage));
    }

    /** Records WITHDRAW of one purpose in consent-service and waits (briefly) until the projection shows it. */
    public Uni<Done> withdraw(LinkToken link, String purpose, Evidence evidence, boolean wait) {
        return catalog.all(link.tenant()).flatMap(purposes -> {
            PurposeInfo info = purposes.get(purpose);
            String name = info == null ? purpose : CenterText.in(evidence.language()).pick(info.names(), purpose);
            return consentService.withdraw(link.tenant(), link.subjectId(), List.of(purpose), evidence)
                    .flatMap(written -> wait ? caughtUp(link, written.subjectSeq()) : Uni.createFrom().item(false))
                    .map(visible -> new Done(visible, name));
        });
    }

    /** Removes a topic from the person's preferences (published like any preference change). */
    public Uni<Done> unsubscribeTopic(LinkToken link, String topic) {
        return preferences.get(link.tenant(), link.subjectId()).flatMap(stored -> {
            Preferences p = stored.preferences();
            Uni<Done> name = topics.list(link.tenant()).map(all -> all.stream().filter(t -> t.key().equals(topic)).findFirst()
                    .map(t -> new Done(true, CenterText.in(p.language()).pick(t.names(), topic)))
                    .orElse(new Done(true, topic)));
            if (!p.topics().contains(topic)) {
                return name;
            }
            List<String> remaining = new ArrayList<>(p.topics());
            remaining.remove(topic);
            return preferences.put(link.tenant(), link.subjectId(), p.withTopics(remaining), stored.etag(), null)
                    .flatMap(v -> name);
        });
    }

    /**
     * Everything marketing stops: WITHDRAW of every marketing purpose that still lets the tenant contact the person
     * (for legitimate-interest and existing-customer purposes consent-service records it as an objection), in one
     * atomic consent-service request, and every topic unfollowed. Service messages go on.
     */
    public Uni<Done> unsubscribeAll(LinkToken link, Evidence evidence, boolean wait) {
        Uni<Map<String, PurposeInfo>> purposes = catalog.all(link.tenant());
        Uni<Map<String, ConsentState>> states = states(link.tenant(), link.subjectId());
        return Uni.combine().all().unis(purposes, states).asTuple().flatMap(t -> {
            List<String> stop = t.getItem1().values().stream()
                    .filter(info -> info.category() == PurposeCategory.MARKETING)
                    .filter(info -> contacts(info, t.getItem2().getOrDefault(info.key(), ConsentState.NONE)))
                    .map(PurposeInfo::key).toList();
            Uni<Boolean> withdrawn = stop.isEmpty() ? Uni.createFrom().item(true)
                    : consentService.withdraw(link.tenant(), link.subjectId(), stop, evidence)
                    .flatMap(written -> wait ? caughtUp(link, written.subjectSeq()) : Uni.createFrom().item(false));
            return withdrawn.flatMap(visible -> preferences.get(link.tenant(), link.subjectId()).flatMap(stored ->
                    stored.preferences().topics().isEmpty() ? Uni.createFrom().item(new Done(visible, null))
                            : preferences.put(link.tenant(), link.subjectId(), stored.preferences().withTopics(List.of()),
                            stored.etag(), null).replaceWith(new Done(visible, null))));
        });
    }

    /** Whether the purpose, in this state, lets the tenant contact the person: what withdrawing would stop. */
    static boolean contacts(PurposeInfo info, ConsentState state) {
        if (state.isOptOut()) {
            return false;
        }
        if (info.legalBasis() == LegalBasis.CONSENT) {
            return state == ConsentState.GRANTED || state == ConsentState.PENDING_CONFIRMATION;
        }
        return true;
    }

    private Uni<Map<String, ConsentState>> states(String tenant, String subjectId) {
        return pool.preparedQuery("select purpose, state, expires_at from consent_projection where tenant_id = $1 and subject_id = $2")
                .execute(Tuple.of(tenant, subjectId))
                .map(rows -> {
                    Map<String, ConsentState> states = new HashMap<>();
                    Instant now = clock.instant();
                    rows.forEach(r -> {
                        ConsentState state = ConsentState.valueOf(r.getString("state"));
                        var expires = r.getOffsetDateTime("expires_at");
                        if (state == ConsentState.GRANTED && expires != null && !now.isBefore(expires.toInstant())) {
                            state = ConsentState.EXPIRED;
                        }
                        states.put(r.getString("purpose"), state);
                    });
                    return states;
                });
    }

    /** True once the projection applied the subject's change {@code seq}; false when the wait ran out first. */
    private Uni<Boolean> caughtUp(LinkToken link, long seq) {
        Instant deadline = clock.instant().plus(config.links().readYourWritesWait());
        return caughtUp(link, seq, deadline);
    }

    private Uni<Boolean> caughtUp(LinkToken link, long seq, Instant deadline) {
        return pool.preparedQuery("select applied_seq from projection_subject where tenant_id = $1 and subject_id = $2")
                .execute(Tuple.of(link.tenant(), link.subjectId()))
                .flatMap(rows -> {
                    long applied = rows.size() == 0 ? 0 : rows.iterator().next().getLong("applied_seq");
                    if (applied >= seq) {
                        return Uni.createFrom().item(true);
                    }
                    if (clock.instant().isAfter(deadline)) {
                        return Uni.createFrom().item(false);
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(20))
                            .flatMap(v -> caughtUp(link, seq, deadline));
                });
    }
}
