package io.samtykke.system;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The tenants of the seed scenario tests (one per company of shared/seeds) and what the shared cluster is set up with
 * for them: an SMS/email gateway secret (fresh per test JVM) and the purposes a Global Privacy Control signal opts out of.
 */
final class SeedTenants {

    static final String MOBITECH = "mobitech-telecom";
    /** The Mobitech gateway's Standard Webhooks secret: {@code whsec_} and 24 random bytes in base64. */
    static final String MOBITECH_GATEWAY_SECRET = "whsec_" + Base64.getEncoder().encodeToString(Cluster.random(24));

    private SeedTenants() {
    }

    /** consent-service's settings for the seed tenants. */
    static Map<String, String> consentSettings() {
        return Map.of(
                "samtykke.inbound.tenants.\"" + MOBITECH + "\".secret", MOBITECH_GATEWAY_SECRET,
                "samtykke.inbound.tenants.\"" + MOBITECH + "\".sms-keywords", "STOPALT");
    }

    /**
     * The {@code webhook-signature} header a gateway holding {@code secret} sends, computed here by the test itself
     * (Standard Webhooks: base64 HMAC-SHA256 over id.timestamp.body, keyed with the decoded secret).
     */
    static String sign(String secret, String id, long timestamp, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    }
}
