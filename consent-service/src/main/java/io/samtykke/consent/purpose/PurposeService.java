package io.samtykke.consent.purpose;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.purpose.PurposeApi.NoticeRequest;
import io.samtykke.consent.purpose.PurposeApi.PurposeRequest;
import io.samtykke.kit.problem.CommonProblem;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The purpose catalog and its notice versions, per tenant. */
@ApplicationScoped
public class PurposeService {

    public static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");
    public static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    @Inject
    Clock clock;

    @WithSession
    public Uni<List<Purpose>> list(String tenant) {
        return Purpose.list("tenantId = ?1 order by key", tenant);
    }

    @WithSession
    public Uni<Purpose> get(String tenant, String key) {
        return Purpose.<Purpose>findById(new Purpose.Id(tenant, key))
                .onItem().ifNull().failWith(() -> new ProblemException(CommonProblem.NOT_FOUND, "no purpose '" + key + "'"));
    }

    /** Creates or replaces a purpose; answers whether it was created. */
    @WithTransaction
    public Uni<Created<Purpose>> put(String tenant, String key, PurposeRequest r) {
        validate(key, r);
        Instant now = clock.instant();
        return Purpose.<Purpose>findById(new Purpose.Id(tenant, key)).flatMap(existing -> {
            Purpose p = existing != null ? existing : new Purpose();
            boolean created = existing == null;
            if (created) {
                p.tenantId = tenant;
                p.key = key;
                p.createdAt = now;
            }
            p.names = r.names();
            p.descriptions = r.descriptions() == null ? Map.of() : r.descriptions();
            p.channel = r.channel();
            p.legalBasis = r.legalBasis();
            p.category = r.category();
            p.validity = r.validity();
            p.doubleOptIn = Boolean.TRUE.equals(r.doubleOptIn());
            p.active = r.active() == null || r.active();
            p.updatedAt = now;
            return (created ? p.<Purpose>persist() : Uni.createFrom().item(p)).map(saved -> new Created<>(saved, created));
        });
    }

    @WithSession
    public Uni<List<NoticeVersion>> notices(String tenant, String key) {
        return get(tenant, key).flatMap(p -> NoticeVersion.list(
                "tenantId = ?1 and purposeKey = ?2 order by publishedAt, version, language", tenant, key));
    }

    /**
     * Publishes a notice version. Publishing the same version and language again with the same
     * content is a no-op (a retry); with other content it is refused: published versions never change.
     */
    @WithTransaction
    public Uni<Created<NoticeVersion>> publish(String tenant, String key, NoticeRequest r) {
        String sha = validate(r);
        return get(tenant, key).flatMap(p -> NoticeVersion.<NoticeVersion>findById(
                new NoticeVersion.Id(tenant, key, r.version(), r.language()))).flatMap(existing -> {
            if (existing != null) {
                boolean same = existing.contentSha256.equals(sha)
                        && java.util.Objects.equals(existing.url, r.url())
                        && existing.material == Boolean.TRUE.equals(r.material());
                if (!same) {
                    throw new ProblemException(ConsentProblem.NOTICE_CONFLICT, "notice version '" + r.version() + "' ("
                            + r.language() + ") of '" + key + "' is already published with other content");
                }
                return Uni.createFrom().item(new Created<>(existing, false));
            }
            NoticeVersion n = new NoticeVersion();
            n.tenantId = tenant;
            n.purposeKey = key;
            n.version = r.version();
            n.language = r.language();
            n.text = r.text();
            n.url = r.url();
            n.contentSha256 = sha;
            n.material = Boolean.TRUE.equals(r.material());
            n.publishedAt = clock.instant();
            return n.<NoticeVersion>persist().map(saved -> new Created<>(saved, true));
        });
    }

    /** A saved entity and whether this call created it. */
    public record Created<T>(T entity, boolean created) {
    }

    private static void validate(String key, PurposeRequest r) {
        RequestErrors errors = new RequestErrors();
        errors.require(KEY.matcher(key).matches(), "/key", "must be 1-64 lowercase letters, digits, '.', '_' or '-'");
        if (r == null) {
            errors.require(false, "", "a body is required").throwIfAny();
        }
        errors.require(r.names() != null && !r.names().isEmpty(), "/names", "needs a name in at least one language");
        if (r.names() != null) {
            r.names().forEach((lang, name) -> errors
                    .require(LANGUAGE.matcher(lang).matches(), "/names/" + lang, "is not a language tag")
                    .require(name != null && !name.isBlank(), "/names/" + lang, "is required")
                    .requireMaxLength(name, 200, "/names/" + lang)
                    .requireSingleLine(name, "/names/" + lang));
        }
        if (r.descriptions() != null) {
            r.descriptions().forEach((lang, d) -> errors
                    .require(LANGUAGE.matcher(lang).matches(), "/descriptions/" + lang, "is not a language tag")
                    .requireMaxLength(d, 4000, "/descriptions/" + lang)
                    .requireMultiLine(d, "/descriptions/" + lang));
        }
        errors.requirePresent(r.channel(), "/channel")
                .requirePresent(r.legalBasis(), "/legalBasis")
                .requirePresent(r.category(), "/category");
        if (r.validity() != null) {
            errors.require(parsePeriod(r.validity()) != null, "/validity", "must be an ISO-8601 period such as P13M");
        }
        errors.throwIfAny();
    }

    private static String validate(NoticeRequest r) {
        RequestErrors errors = new RequestErrors();
        if (r == null) {
            errors.require(false, "", "a body is required").throwIfAny();
        }
        errors.requirePresent(r.version(), "/version")
                .requireMatch(r.version(), VERSION, "/version", "version (letters, digits, '.', '_', '-')")
                .requirePresent(r.language(), "/language")
                .requireMatch(r.language(), LANGUAGE, "/language", "language tag")
                .require(r.text() != null || r.url() != null, "/text", "text or url is required")
                .requireMaxLength(r.text(), 100_000, "/text")
                .requireMultiLine(r.text(), "/text")
                .requireMaxLength(r.url(), 2000, "/url")
                .requireSingleLine(r.url(), "/url")
                .require(r.url() == null || r.url().startsWith("https://") || r.url().startsWith("http://"), "/url",
                        "must be an http(s) URL")
                .requireMatch(r.contentSha256(), SHA256, "/contentSha256", "lowercase hex SHA-256")
                .require(r.text() != null || r.contentSha256() != null, "/contentSha256",
                        "is required when only a url is given");
        errors.throwIfAny();
        if (r.text() == null) {
            return r.contentSha256();
        }
        String computed = sha256(r.text());
        if (r.contentSha256() != null && !r.contentSha256().equals(computed)) {
            throw ProblemException.at(CommonProblem.VALIDATION, "/contentSha256",
                    "does not match the SHA-256 of text (" + computed + ")");
        }
        return computed;
    }

    /** Period of validity, or null when not a valid ISO-8601 period. */
    public static Period parsePeriod(String iso) {
        try {
            Period p = Period.parse(iso);
            return p.isNegative() || p.isZero() ? null : p;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
