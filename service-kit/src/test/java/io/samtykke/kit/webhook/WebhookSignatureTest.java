package io.samtykke.kit.webhook;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookSignatureTest {

    /** The example of the Standard Webhooks specification and its reference libraries' tests. */
    static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    static final long SPEC_TIMESTAMP = 1614265330;
    static final String SPEC_BODY = "{\"test\": 2432232314}";

    @Test
    void theSignatureMatchesTheStandardWebhooksReferenceExample() {
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY));
    }

    @Test
    void aReceiverAcceptsTheSignatureWithinTheToleranceWindowOnly() {
        String signature = WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        Instant sent = Instant.ofEpochSecond(SPEC_TIMESTAMP);
        assertTrue(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + SPEC_TIMESTAMP, SPEC_BODY, signature, sent.plusSeconds(299)));
        assertFalse(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + SPEC_TIMESTAMP, SPEC_BODY, signature, sent.plus(Duration.ofMinutes(6))),
                "a replay after the window is refused");
        assertFalse(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + SPEC_TIMESTAMP, SPEC_BODY, signature, sent.minus(Duration.ofMinutes(6))));
    }

    @Test
    void aChangedBodyIdOrTimestampOrAnotherSecretFailsVerification() {
        Instant now = Instant.ofEpochSecond(SPEC_TIMESTAMP);
        String signature = WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assertFalse(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + SPEC_TIMESTAMP, "{\"test\": 2432232315}", signature, now));
        assertFalse(WebhookSignature.verify(SPEC_SECRET, "msg_other", "" + SPEC_TIMESTAMP, SPEC_BODY, signature, now));
        assertFalse(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + (SPEC_TIMESTAMP + 1), SPEC_BODY, signature, now));
        assertFalse(WebhookSignature.verify(WebhookSignature.newSecret(), SPEC_ID, "" + SPEC_TIMESTAMP, SPEC_BODY, signature, now));
    }

    @Test
    void oneOfSeveralSpaceSeparatedSignaturesIsEnough() {
        String signature = WebhookSignature.sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY);
        assertTrue(WebhookSignature.verify(SPEC_SECRET, SPEC_ID, "" + SPEC_TIMESTAMP, SPEC_BODY,
                "v1,bm90IHRoaXMgb25l " + signature, Instant.ofEpochSecond(SPEC_TIMESTAMP)));
    }

    @Test
    void newSecretsAreWhsecAnd24RandomBytes() {
        String a = WebhookSignature.newSecret();
        assertTrue(a.startsWith("whsec_"));
        assertEquals(24, Base64.getDecoder().decode(a.substring(6)).length);
        assertFalse(a.equals(WebhookSignature.newSecret()));
    }
}
