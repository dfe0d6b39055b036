package io.samtykke.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * The links preference-service puts in emails, taken apart and put together as an attacker (or a test holding the
 * link key) would: {@code base64url(payload) "." base64url(HMAC-SHA256(key, "samtykke-link-v1." + payload))}, the
 * payload naming tenant {@code t}, subject {@code s}, use {@code u} (PAGE or UNSUBSCRIBE), list {@code l}, language
 * {@code g} and expiry {@code x} (Unix seconds), as preference-service's README describes them. Written here from that
 * description, not shared with the service: a test-made link that the service accepts shows the two agree.
 */
final class EmailLinks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private EmailLinks() {
    }

    /** The token of an issued link: the query of the page link, the last path segment of the unsubscribe link. */
    static String token(String link) {
        URI uri = URI.create(link);
        return uri.getRawQuery() != null ? uri.getRawQuery().substring("token=".length())
                : uri.getRawPath().substring(uri.getRawPath().lastIndexOf('/') + 1);
    }

    /** A link's payload, editable. */
    static ObjectNode payload(String token) {
        try {
            return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code payload} under the signature of {@code token}: what changing a link without the key gives. */
    static String resigned(String token, ObjectNode payload) {
        return encode(payload) + token.substring(token.indexOf('.'));
    }

    /** {@code payload} signed with {@code key}. */
    static String sign(byte[] key, ObjectNode payload) {
        String body = encode(payload);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return body + "." + B64.encodeToString(mac.doFinal(("samtykke-link-v1." + body).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A payload as the service writes it: for {@code use} ("PAGE" or "UNSUBSCRIBE"), {@code list} null for a page. */
    static ObjectNode payload(String tenant, String subject, String use, String list, long expiresAtEpochSecond) {
        ObjectNode payload = JSON.createObjectNode().put("v", 1).put("t", tenant).put("s", subject).put("u", use)
                .put("x", expiresAtEpochSecond);
        if (list != null) {
            payload.put("l", list);
        }
        return payload;
    }

    private static String encode(ObjectNode payload) {
        return B64.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
    }
}
