package io.samtykke.preference.center;

import io.samtykke.kit.problem.ProblemException;
import io.samtykke.preference.problem.PreferenceProblem;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinkTokenTest {

    static final byte[] KEY = "a key of thirty-two bytes or more!".getBytes(StandardCharsets.US_ASCII);
    static final Instant NOW = Instant.parse("2026-03-03T12:00:00Z");
    static final LinkToken LINK = new LinkToken("nabogo", "user-42", LinkToken.Use.UNSUBSCRIBE, "topic:ride-offers", "da",
            NOW.plusSeconds(3600));

    @Test
    void aSignedLinkVerifiesToWhatWasSigned() {
        assertEquals(LINK, LinkToken.verify(KEY, LINK.sign(KEY), LinkToken.Use.UNSUBSCRIBE, NOW));
    }

    @Test
    void anExpiredLinkIsRefusedAsExpired() {
        ProblemException e = assertThrows(ProblemException.class,
                () -> LinkToken.verify(KEY, LINK.sign(KEY), LinkToken.Use.UNSUBSCRIBE, NOW.plusSeconds(3600)));
        assertEquals(PreferenceProblem.EXPIRED_LINK, e.type());
    }

    @Test
    void aLinkSignedWithAnotherKeyOrChangedIsRefused() {
        String token = LINK.sign(KEY);
        assertInvalid(LINK.sign("another key of thirty-two bytes!!".getBytes(StandardCharsets.US_ASCII)), LinkToken.Use.UNSUBSCRIBE);
        String otherSubject = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8)
                        .replace("user-42", "user-43").getBytes(StandardCharsets.UTF_8));
        assertInvalid(otherSubject + token.substring(token.indexOf('.')), LinkToken.Use.UNSUBSCRIBE);
        assertInvalid(token.substring(0, token.length() - 2), LinkToken.Use.UNSUBSCRIBE);
        assertInvalid("no-dot", LinkToken.Use.UNSUBSCRIBE);
        assertInvalid(null, LinkToken.Use.UNSUBSCRIBE);
    }

    @Test
    void anUnsubscribeLinkDoesNotOpenThePageNorTheOtherWayRound() {
        assertInvalid(LINK.sign(KEY), LinkToken.Use.PAGE);
        LinkToken page = new LinkToken("nabogo", "user-42", LinkToken.Use.PAGE, null, null, NOW.plusSeconds(60));
        assertInvalid(page.sign(KEY), LinkToken.Use.UNSUBSCRIBE);
    }

    private static void assertInvalid(String token, LinkToken.Use use) {
        ProblemException e = assertThrows(ProblemException.class, () -> LinkToken.verify(KEY, token, use, NOW));
        assertEquals(PreferenceProblem.INVALID_LINK, e.type());
    }
}
