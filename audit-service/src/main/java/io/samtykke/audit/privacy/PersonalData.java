package io.samtykke.audit.privacy;

import io.samtykke.audit.verifier.CanonicalJson;
import io.samtykke.audit.verifier.Json;
import io.samtykke.audit.verifier.LogEntry;
import io.samtykke.audit.verifier.VerificationException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What in an event is personal data, and how it is sealed into an entry and opened again. Consent
 * events keep their structure and seal the values that identify or describe the person: the subject
 * id, the actor's id, the IP prefix and the user agent. Other events (preferences, subject requests)
 * are sealed whole. Purposes, states, notice versions and times stay readable: they are the evidence.
 */
public final class PersonalData {

    /** What a personal value reads as once its subject's key is destroyed. */
    public static final String ERASED = "erased";
    /** What a sealed value reads as when it does not open: it was moved or changed, which the log's hashes expose. */
    public static final String UNREADABLE = "unreadable";

    /** The members of a consent event (JSON paths) that hold personal data. */
    public static final List<List<String>> CONSENT_EVENT_FIELDS = List.of(
            List.of("subjectId"),
            List.of("evidence", "actor", "id"),
            List.of("evidence", "ipPrefix"),
            List.of("evidence", "userAgent"));

    private PersonalData() {
    }

    /** A payload as readers see it, and whether any of it was erased. */
    public record Opened(Object payload, boolean erased) {
    }

    /**
     * The {@code data} of a consent event's entry: the payload with its personal values sealed under the
     * subject's key, or marked erased when that key is already destroyed.
     */
    public static Object sealConsentEvent(Map<String, Object> payload, String tenant, UUID eventId, DataKey key) {
        Map<String, Object> data = copy(payload);
        for (List<String> path : CONSENT_EVENT_FIELDS) {
            Map<String, Object> parent = parent(data, path);
            String name = path.get(path.size() - 1);
            if (parent != null && parent.containsKey(name)) {
                byte[] plain = CanonicalJson.write(parent.get(name)).getBytes(StandardCharsets.UTF_8);
                parent.put(name, key.destroyed() ? LogEntry.erased()
                        : LogEntry.sealed(key.seal(plain, context(tenant, eventId, pointer(path)))));
            }
        }
        return data;
    }

    /** The {@code data} of any other event's entry: its payload bytes sealed whole, or kept opaque when it names no subject. */
    public static Object sealWhole(byte[] payload, String tenant, UUID eventId, DataKey key) {
        if (key == null) {
            return LogEntry.opaque(payload);
        }
        return key.destroyed() ? LogEntry.erased() : LogEntry.sealed(key.seal(payload, context(tenant, eventId, "")));
    }

    /** The payload of an entry's {@code data} with sealed values opened by {@code key} (null: the entry names no subject). */
    public static Opened open(Object data, String tenant, UUID eventId, DataKey key) {
        boolean[] erased = {false};
        Object payload = open(data, "", tenant, eventId, key, erased);
        return new Opened(payload, erased[0]);
    }

    private static Object open(Object value, String pointer, String tenant, UUID eventId, DataKey key, boolean[] erased) {
        byte[] ciphertext = LogEntry.ciphertext(value);
        if (ciphertext != null) {
            if (key == null || key.destroyed()) {
                erased[0] = true;
                return ERASED;
            }
            try {
                return json(key.open(ciphertext, context(tenant, eventId, pointer)));
            } catch (IllegalStateException e) {
                return UNREADABLE;
            }
        }
        if (LogEntry.isSealedOrErased(value)) {
            erased[0] = true;
            return ERASED;
        }
        if (value instanceof Map<?, ?> m && m.size() == 1 && m.get(LogEntry.BASE64) instanceof String b64 && pointer.isEmpty()) {
            return json(Base64.getDecoder().decode(b64));
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, open(v, pointer + "/" + k, tenant, eventId, key, erased)));
            return out;
        }
        return value;
    }

    private static Object json(byte[] text) {
        try {
            return Json.parse(new String(text, StandardCharsets.UTF_8));
        } catch (VerificationException e) {
            return new String(text, StandardCharsets.UTF_8);
        }
    }

    /** Binds a ciphertext to its tenant, entry and place, so it opens nowhere else. */
    private static String context(String tenant, UUID eventId, String pointer) {
        return "samtykke audit sealed value\n" + tenant + "\n" + eventId + "\n" + pointer;
    }

    private static String pointer(List<String> path) {
        return "/" + String.join("/", path);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parent(Map<String, Object> data, List<String> path) {
        Map<String, Object> node = data;
        for (String name : path.subList(0, path.size() - 1)) {
            if (!(node.get(name) instanceof Map)) {
                return null;
            }
            node = (Map<String, Object>) node.get(name);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v instanceof Map ? copy((Map<String, Object>) v) : v));
        return out;
    }
}
