package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The strict reader's values and limits, as the verifier's callers compare them. */
class JsonTest {

    @Test
    void integersAreLongsOrBigIntegersAndOtherNumbersExactDecimals() throws VerificationException {
        assertEquals(List.of(1L, -9223372036854775808L, new BigInteger("9223372036854775808"), new BigDecimal("1.50"),
                new BigDecimal("1E+2"), 0L), Json.parse("[1,-9223372036854775808,9223372036854775808,1.50,1e2,-0]"));
        assertEquals(new BigInteger("1".repeat(1200)), Json.parse("1".repeat(1200)), "no limit on a number's length");
    }

    @Test
    void objectsKeepDocumentOrderAndRefuseDuplicateNamesAtAnyDepth() throws VerificationException {
        Map<String, Object> m = Json.parseObject("{\"z\":1,\"a\":{\"y\":null,\"b\":\"\\u00e6\"}}");
        assertEquals(List.of("z", "a"), List.copyOf(m.keySet()));
        Map<?, ?> inner = (Map<?, ?>) m.get("a");
        assertEquals(List.of("y", "b"), List.copyOf(inner.keySet()));
        assertEquals("æ", inner.get("b"));
        assertEquals(null, inner.get("y"));
        VerificationException e = assertThrows(VerificationException.class, () -> Json.parse("{\"a\":{\"b\":1,\"b\":1}}"));
        assertTrue(e.getMessage().startsWith("not valid JSON: Duplicate field 'b'"), e.getMessage());
        assertThrows(VerificationException.class, () -> Json.parseObject("[1]"));
    }

    @Test
    void sixtyFourLevelsOfNestingAreReadAndMoreAreRefused() throws VerificationException {
        assertEquals(1L, dig(Json.parse("[".repeat(64) + "1" + "]".repeat(64)), 64));
        assertThrows(VerificationException.class, () -> Json.parse("[".repeat(65) + "]".repeat(65)));
    }

    @Test
    void onlyJsonIsRead() {
        for (String bad : List.of("", " ", "\ufeff{}", "{}\u0000", "NaN", "+1", ".5", "1.", "/*c*/1", "[1] [2]", "\"\\x\"")) {
            assertThrows(VerificationException.class, () -> Json.parse(bad), bad);
        }
    }

    private static Object dig(Object value, int levels) {
        for (int i = 0; i < levels; i++) {
            value = ((List<?>) value).get(0);
        }
        return value;
    }
}
