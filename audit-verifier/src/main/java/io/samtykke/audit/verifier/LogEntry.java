package io.samtykke.audit.verifier;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One entry of a tenant's audit log as it is hashed into the Merkle tree: its bytes are the RFC 8785
 * canonical JSON of the members below, stored as they are, so anyone can recompute the leaf hash.
 *
 * <pre>{@code
 * {"data":{...},"eventId":"<uuid>","purpose":"newsletter","receivedAt":"2026-05-01T10:00:00.120Z",
 *  "seq":17,"source":"/samtykke/consent-service","subject":"<pseudonym>","subjectSeq":3,
 *  "tenant":"acme","time":"2026-05-01T10:00:00.100Z","type":"io.samtykke.consent.granted.v1","v":1}
 * }</pre>
 *
 * {@code purpose}, {@code subject} and {@code subjectSeq} are absent when the event has none. Inside
 * {@code data}, personal values are replaced by {@code {"sealed":"<base64>"}} (ciphertext under the
 * subject's own key), {@code {"erased":true}} (the subject's key was already destroyed when the event
 * arrived) or, for a payload kept as opaque bytes, {@code {"base64":"<bytes>"}}.
 *
 * @param subject a keyed pseudonym of the subject id, never the id itself
 * @param data    the event payload with its personal values sealed
 */
public record LogEntry(String tenant, long seq, UUID eventId, String type, String source, Instant time, String purpose,
                       String subject, Long subjectSeq, Instant receivedAt, Object data) {

    public static final int VERSION = 1;
    public static final String SEALED = "sealed";
    public static final String ERASED = "erased";
    public static final String BASE64 = "base64";

    private static final Set<String> REQUIRED = Set.of("v", "tenant", "seq", "eventId", "type", "source", "time",
            "receivedAt", "data");
    private static final Set<String> OPTIONAL = Set.of("purpose", "subject", "subjectSeq");

    public LogEntry {
        if (tenant == null || tenant.isEmpty() || seq < 0 || eventId == null || type == null || source == null
                || time == null || receivedAt == null) {
            throw new IllegalArgumentException("an entry needs tenant, seq, event id, type, source and both times");
        }
    }

    /** The canonical bytes: what is stored and what the leaf hash covers. */
    public byte[] toBytes() {
        Map<String, Object> members = new LinkedHashMap<>();
        members.put("v", VERSION);
        members.put("tenant", tenant);
        members.put("seq", seq);
        members.put("eventId", eventId.toString());
        members.put("type", type);
        members.put("source", source);
        members.put("time", instant(time));
        if (purpose != null) {
            members.put("purpose", purpose);
        }
        if (subject != null) {
            members.put("subject", subject);
        }
        if (subjectSeq != null) {
            members.put("subjectSeq", subjectSeq);
        }
        members.put("receivedAt", instant(receivedAt));
        members.put("data", data);
        return CanonicalJson.write(members).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] leafHash() {
        return MerkleTree.leafHash(toBytes());
    }

    /** A sealed value: ciphertext only its subject's key opens. */
    public static Map<String, Object> sealed(byte[] ciphertext) {
        return Map.of(SEALED, Base64.getEncoder().encodeToString(ciphertext));
    }

    /** In place of a personal value that arrived after its subject's key was destroyed. */
    public static Map<String, Object> erased() {
        return Map.of(ERASED, Boolean.TRUE);
    }

    /** A payload kept as opaque bytes. */
    public static Map<String, Object> opaque(byte[] bytes) {
        return Map.of(BASE64, Base64.getEncoder().encodeToString(bytes));
    }

    /** True for a sealed or erased value: what a reader without the subject's key cannot compare. */
    public static boolean isSealedOrErased(Object value) {
        return value instanceof Map<?, ?> m && m.size() == 1
                && (m.get(SEALED) instanceof String || Boolean.TRUE.equals(m.get(ERASED)));
    }

    /** The ciphertext of a sealed value, or null for anything else. */
    public static byte[] ciphertext(Object value) {
        if (value instanceof Map<?, ?> m && m.size() == 1 && m.get(SEALED) instanceof String b64) {
            return Base64.getDecoder().decode(b64);
        }
        return null;
    }

    /**
     * Reads stored entry bytes strictly: UTF-8, the members above with their types, and canonical, so
     * two different byte strings never pass for the same entry.
     */
    public static LogEntry parse(byte[] bytes) throws VerificationException {
        LogEntry entry = read(bytes);
        byte[] canonical;
        try {
            canonical = entry.toBytes();
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the entry holds a value canonical JSON cannot: " + e.getMessage());
        }
        if (!Arrays.equals(canonical, bytes)) {
            throw new VerificationException("the entry bytes are not in canonical form");
        }
        return entry;
    }

    /**
     * Reads entry bytes without proving that they are canonical: for a log reading back what it stored, whose
     * readers check the bytes with {@link #parse} anyway.
     */
    public static LogEntry read(byte[] bytes) throws VerificationException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new VerificationException("the entry bytes are not UTF-8");
        }
        Map<String, Object> m = Json.parseObject(text);
        for (String name : REQUIRED) {
            if (!m.containsKey(name)) {
                throw new VerificationException("the entry has no \"" + name + "\"");
            }
        }
        for (String name : m.keySet()) {
            if (!REQUIRED.contains(name) && !OPTIONAL.contains(name)) {
                throw new VerificationException("the entry has an unknown member \"" + name + "\"");
            }
        }
        if (!Long.valueOf(VERSION).equals(m.get("v"))) {
            throw new VerificationException("the entry format version is " + m.get("v") + ", not " + VERSION);
        }
        LogEntry entry;
        try {
            entry = new LogEntry(text(m, "tenant"), integer(m, "seq"), UUID.fromString(text(m, "eventId")),
                    text(m, "type"), text(m, "source"), instant(m, "time"), optionalText(m, "purpose"),
                    optionalText(m, "subject"), m.containsKey("subjectSeq") ? integer(m, "subjectSeq") : null,
                    instant(m, "receivedAt"), m.get("data"));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the entry is malformed: " + e.getMessage());
        }
        return entry;
    }

    private static String instant(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }

    private static String text(Map<String, Object> m, String name) throws VerificationException {
        if (!(m.get(name) instanceof String s) || s.isEmpty()) {
            throw new VerificationException("the entry's \"" + name + "\" is not a non-empty string");
        }
        return s;
    }

    private static String optionalText(Map<String, Object> m, String name) throws VerificationException {
        return m.containsKey(name) ? text(m, name) : null;
    }

    private static long integer(Map<String, Object> m, String name) throws VerificationException {
        if (!(m.get(name) instanceof Long n) || n < 0) {
            throw new VerificationException("the entry's \"" + name + "\" is not a whole number");
        }
        return n;
    }

    private static Instant instant(Map<String, Object> m, String name) throws VerificationException {
        try {
            return Instant.parse(text(m, name));
        } catch (DateTimeParseException e) {
            throw new VerificationException("the entry's \"" + name + "\" is not an RFC 3339 UTC time");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && Arrays.equals(e.toBytes(), toBytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    /** The members of the data a reader sees in clear, with sealed and erased values as wildcards. */
    static boolean sameClearValues(Object data, Object readable) {
        if (isSealedOrErased(data)) {
            return true;
        }
        if (data instanceof Map<?, ?> d && d.size() == 1 && d.get(BASE64) instanceof String) {
            return true;
        }
        if (data instanceof Map<?, ?> d) {
            if (!(readable instanceof Map<?, ?> r) || !d.keySet().equals(r.keySet())) {
                return false;
            }
            return d.keySet().stream().allMatch(k -> sameClearValues(d.get(k), r.get(k)));
        }
        if (data instanceof List<?> d) {
            if (!(readable instanceof List<?> r) || d.size() != r.size()) {
                return false;
            }
            for (int i = 0; i < d.size(); i++) {
                if (!sameClearValues(d.get(i), r.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return data == null ? readable == null : data.equals(readable);
    }
}
