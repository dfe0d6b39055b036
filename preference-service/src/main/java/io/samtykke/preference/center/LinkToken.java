package io.samtykke.preference.center;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.problem.PreferenceProblem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A signed, expiring link for one person: the preference center page, or one-click unsubscribe from one list
 * (a topic, a purpose, or everything). {@code base64url(payload) "." base64url(HMAC-SHA256(key, payload))}; the
 * payload names tenant, subject, what the link is for and when it expires, so it needs no login and no lookup.
 * Plain Java.
 */
public record LinkToken(String tenant, String subjectId, Use use, String list, String language, Instant expiresAt) {

    /** What the link may do. */
    public enum Use { PAGE, UNSUBSCRIBE }

    /** The list of an unsubscribe link that means "everything". */
    public static final String ALL = "all";
    public static final String TOPIC = "topic:";
    public static final String PURPOSE = "purpose:";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    public String sign(byte[] key) {
        ObjectNode payload = JSON.createObjectNode()
                .put("v", 1).put("t", tenant).put("s", subjectId).put("u", use.name()).put("x", expiresAt.getEpochSecond());
        if (list != null) {
            payload.put("l", list);
        }
        if (language != null) {
            payload.put("g", language);
        }
        String body = B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(mac(key, body));
    }

    /**
     * The link {@code token} stands for, if its signature is right, it is for {@code use} and not expired at {@code now}.
     *
     * @throws ProblemException {@link PreferenceProblem#INVALID_LINK} or {@link PreferenceProblem#EXPIRED_LINK}
     */
    public static LinkToken verify(byte[] key, String token, Use use, Instant now) {
        int dot = token == null ? -1 : token.indexOf('.');
        if (dot <= 0 || token.length() > 2048) {
            throw invalid();
        }
        String body = token.substring(0, dot);
        byte[] signature;
        JsonNode payload;
        try {
            signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(mac(key, body), signature)) {
                throw invalid();
            }
            payload = JSON.readTree(Base64.getUrlDecoder().decode(body));
        } catch (IllegalArgumentException | IOException e) {
            throw invalid();
        }
        if (payload.path("v").asInt() != 1 || !use.name().equals(payload.path("u").asText())) {
            throw invalid();
        }
        LinkToken link = new LinkToken(payload.path("t").asText(), payload.path("s").asText(), use,
                payload.hasNonNull("l") ? payload.get("l").asText() : null,
                payload.hasNonNull("g") ? payload.get("g").asText() : null,
                Instant.ofEpochSecond(payload.path("x").asLong()));
        if (!now.isBefore(link.expiresAt())) {
            throw new ProblemException(PreferenceProblem.EXPIRED_LINK, "the link expired at " + link.expiresAt());
        }
        return link;
    }

    private static ProblemException invalid() {
        return new ProblemException(PreferenceProblem.INVALID_LINK, "the link is not valid");
    }

    private static byte[] mac(byte[] key, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(("samtykke-link-v1." + body).getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
