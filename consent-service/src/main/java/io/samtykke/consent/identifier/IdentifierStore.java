package io.samtykke.consent.identifier;

import io.samtykke.consent.config.ConsentConfig;
import io.samtykke.consent.problem.ConsentProblem;
import io.samtykke.consent.record.ConsentApi.IdentifierRequest;
import io.samtykke.consent.record.ConsentApi.IdentifierType;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.kit.problem.RequestErrors;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Contact identifiers of subjects (email, phone, push token, device id, cookie id): stored only as
 * AES-GCM ciphertext plus an HMAC-SHA-256 blind index, so "withdraw by email" needs no clear text.
 */
@ApplicationScoped
public class IdentifierStore {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{6,15}");

    @Inject
    Pool pool;

    @Inject
    ConsentConfig config;

    private final Map<String, IdentifierKeys> keys = new ConcurrentHashMap<>();

    public void validate(List<IdentifierRequest> list, String pointer, RequestErrors errors) {
        errors.require(list.size() <= 20, pointer, "at most 20 identifiers per request");
        for (int i = 0; i < list.size(); i++) {
            validate(list.get(i), pointer + "/" + i, errors);
        }
    }

    /** One identifier at {@code at} (a JSON Pointer to the identifier object itself). */
    public void validate(IdentifierRequest id, String at, RequestErrors errors) {
        if (id == null) {
            errors.require(false, at, "is null");
            return;
        }
        errors.requirePresent(id.type(), at + "/type").requirePresent(id.value(), at + "/value")
                .requireMaxLength(id.value(), 512, at + "/value");
        if (id.type() != null && id.value() != null) {
            String v = normalize(id.type(), id.value());
            errors.require(id.type() != IdentifierType.EMAIL || EMAIL.matcher(v).matches(), at + "/value",
                    "is not an email address");
            errors.require(id.type() != IdentifierType.PHONE || PHONE.matcher(v).matches(), at + "/value",
                    "is not a phone number (digits, optionally with a leading +)");
        }
    }

    /** Case and spacing that do not change who an identifier belongs to are removed before hashing. */
    static String normalize(IdentifierType type, String value) {
        String v = value.trim();
        return switch (type) {
            case EMAIL -> v.toLowerCase(Locale.ROOT);
            case PHONE -> v.replaceAll("[\\s().-]", "");
            default -> v;
        };
    }

    /**
     * Attaches identifiers to a subject, refusing (409 subject-erased, nothing written) an identifier whose owner was
     * erased, unless {@code byThePerson}: a person who gives their own address again with their own token (after an
     * erasure, as a new account) lifts its suppression by that explicit act. The caller holds the subject's row lock
     * ({@code ConsentStore.lockSubject}, taken by consent writes and erasures alike), which has refused an erased subject
     * id already; without it an erasure committing before the insert would leave the erased person's identifiers stored.
     */
    public Uni<Void> attach(SqlClient conn, String tenant, String subjectId, List<IdentifierRequest> list, Instant now,
                            boolean byThePerson) {
        IdentifierKeys k = keysOf(tenant);
        List<Tuple> rows = new ArrayList<>();
        List<Buffer> tags = new ArrayList<>();
        for (IdentifierRequest id : list) {
            String v = normalize(id.type(), id.value());
            byte[] blindIndex = k.blindIndex(id.type().name(), v);
            tags.add(Buffer.buffer(identifierTag(k, id.type().name(), blindIndex)));
            rows.add(Tuple.of(tenant, id.type().name(), Buffer.buffer(blindIndex), subjectId,
                    Buffer.buffer(k.encrypt(v, tenant + "/" + subjectId + "/" + id.type().name())),
                    OffsetDateTime.ofInstant(now, ZoneOffset.UTC)));
        }
        return conn.preparedQuery("select count(*) as n from erased_identifier where tenant_id = $1 and tag = any($2)")
                .execute(Tuple.of(tenant, tags.toArray(Buffer[]::new)))
                .flatMap(found -> {
                    if (found.iterator().next().getLong("n") == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    if (!byThePerson) {
                        throw ProblemException.at(ConsentProblem.SUBJECT_ERASED, "/identifiers", "an identifier given belongs to "
                                + "a person who was erased; only that person, with their own token, may give it again");
                    }
                    return conn.preparedQuery("delete from erased_identifier where tenant_id = $1 and tag = any($2)")
                            .execute(Tuple.of(tenant, tags.toArray(Buffer[]::new))).replaceWithVoid();
                })
                .flatMap(v -> conn.preparedQuery("""
                                insert into subject_identifier (tenant_id, type, blind_index, subject_id, ciphertext, created_at)
                                values ($1, $2, $3, $4, $5, $6)
                                on conflict (tenant_id, type, blind_index, subject_id) do nothing""")
                        .executeBatch(rows))
                .replaceWithVoid();
    }

    /** The tag an erasure leaves of a subject id (see {@link #eraseOf}). */
    public byte[] subjectTag(String tenant, String subjectId) {
        return keysOf(tenant).suppressionTag("subject\n" + subjectId);
    }

    /** Refuses (409 subject-erased) a subject id that was erased in this tenant. */
    public Uni<Void> requireNotErased(SqlClient conn, String tenant, String subjectId) {
        return conn.preparedQuery("select 1 from erased_subject where tenant_id = $1 and tag = $2")
                .execute(Tuple.of(tenant, Buffer.buffer(subjectTag(tenant, subjectId))))
                .map(rows -> {
                    if (rows.size() > 0) {
                        throw ProblemException.at(ConsentProblem.SUBJECT_ERASED, "/subjectId", "this subject was erased "
                                + "(GDPR Art. 17); nothing is recorded about it again");
                    }
                    return null;
                });
    }

    /**
     * Erasure of a subject's identifiers: their rows are deleted and only keyed tags stay behind, one of the subject id
     * and one of each identifier's blind index, so an import or app cannot attach them (and so re-subscribe the person)
     * later, while nothing readable is kept.
     */
    public Uni<Void> eraseOf(SqlConnection conn, String tenant, String subjectId, Instant now) {
        IdentifierKeys k = keysOf(tenant);
        OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
        return conn.preparedQuery("delete from subject_identifier where tenant_id = $1 and subject_id = $2 returning type, blind_index")
                .execute(Tuple.of(tenant, subjectId))
                .flatMap(deleted -> {
                    List<Tuple> tags = new ArrayList<>();
                    deleted.forEach(r -> tags.add(Tuple.of(tenant, Buffer.buffer(identifierTag(k, r.getString("type"),
                            r.getBuffer("blind_index").getBytes())), at)));
                    tags.add(Tuple.of(tenant, Buffer.buffer(subjectTag(tenant, subjectId)), at));
                    Uni<Void> identifiers = tags.size() == 1 ? Uni.createFrom().voidItem() : conn.preparedQuery("""
                                    insert into erased_identifier (tenant_id, tag, erased_at) values ($1, $2, $3)
                                    on conflict do nothing""")
                            .executeBatch(tags.subList(0, tags.size() - 1)).replaceWithVoid();
                    return identifiers.flatMap(v -> conn.preparedQuery("""
                                    insert into erased_subject (tenant_id, tag, erased_at) values ($1, $2, $3)
                                    on conflict do nothing""")
                            .execute(tags.get(tags.size() - 1)).replaceWithVoid());
                });
    }

    private static byte[] identifierTag(IdentifierKeys k, String type, byte[] blindIndex) {
        return k.suppressionTag("identifier\n" + type + "\n" + HexFormat.of().formatHex(blindIndex));
    }

    /** The subjects that own an identifier in this tenant. */
    public Uni<List<String>> subjectsOf(String tenant, IdentifierRequest id) {
        String v = normalize(id.type(), id.value());
        return pool.preparedQuery("""
                        select subject_id from subject_identifier
                        where tenant_id = $1 and type = $2 and blind_index = $3 order by subject_id""")
                .execute(Tuple.of(tenant, id.type().name(), Buffer.buffer(keysOf(tenant).blindIndex(id.type().name(), v))))
                .map(rows -> {
                    List<String> subjects = new ArrayList<>();
                    for (Row r : rows) {
                        subjects.add(r.getString("subject_id"));
                    }
                    return subjects;
                });
    }

    /** The decrypted identifiers of one subject (for the subject's own access request). */
    public Uni<List<IdentifierRequest>> identifiersOf(String tenant, String subjectId) {
        IdentifierKeys k = keysOf(tenant);
        return pool.preparedQuery("""
                        select type, ciphertext from subject_identifier where tenant_id = $1 and subject_id = $2 order by type""")
                .execute(Tuple.of(tenant, subjectId))
                .map(rows -> {
                    List<IdentifierRequest> out = new ArrayList<>();
                    for (Row r : rows) {
                        String type = r.getString("type");
                        out.add(new IdentifierRequest(IdentifierType.valueOf(type),
                                k.decrypt(r.getBuffer("ciphertext").getBytes(), tenant + "/" + subjectId + "/" + type)));
                    }
                    return out;
                });
    }

    private IdentifierKeys keysOf(String tenant) {
        return keys.computeIfAbsent(tenant, t -> {
            String explicit = config.identifiers().tenantKeys().get(t);
            return explicit != null
                    ? IdentifierKeys.fromTenantKey(Base64.getDecoder().decode(explicit))
                    : IdentifierKeys.derive(Base64.getDecoder().decode(config.identifiers().masterKey()), t);
        });
    }
}
