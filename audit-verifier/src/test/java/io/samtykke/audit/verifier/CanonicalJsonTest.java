package io.samtykke.audit.verifier;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Canonical JSON (RFC 8785) as entries use it, the strict reader, and the entry format built on both. */
class CanonicalJsonTest {

    @Test
    void membersAreSortedByUtf16CodeUnitsWithoutWhitespace() {
        assertEquals(Rfc8785Examples.SORTED, CanonicalJson.write(Rfc8785Examples.sortingInput()));
    }

    @Test
    void stringsEscapeOnlyWhatJsonRequires() {
        assertEquals("\"\\u0000\\b\\t\\n\\f\\r\\u001f \\\"\\\\/\u007f\u00e6\u00f8\u00e5\"",
                CanonicalJson.write("\u0000\b\t\n\f\r\u001f \"\\/\u007f\u00e6\u00f8\u00e5"));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write("lone \ud800 surrogate"));
    }

    @Test
    void wholeNumbersUpTo2To53AreWrittenPlainAndOtherNumbersRefused() {
        assertEquals("[0,-1,9007199254740991,true,null]", CanonicalJson.write(java.util.Arrays.asList(0, -1L,
                9007199254740991L, true, null)));
        assertEquals("[1,-20,3]", CanonicalJson.write(List.of(1.0, new BigDecimal("-2E+1"), 3.0f)), "as JCS writes 1.0: 1");
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(9007199254740992L));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(BigInteger.TEN.pow(20)));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(1.5));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(new BigDecimal("0.1")));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.write(1e300));
    }

    @Test
    void theReaderIsStrictAndRoundTripsCanonicalText() throws VerificationException {
        String canonical = "{\"a\":[1,{\"b\":\"\\n\"}],\"c\":false,\"d\":null}";
        assertEquals(canonical, CanonicalJson.write(Json.parse(canonical)));
        assertEquals(canonical, CanonicalJson.write(Json.parse(" { \"d\" : null , \"c\":false,\"a\":[ 1,{\"b\":\"\\u000a\"}]} ")));
        for (String bad : List.of("{\"a\":1,\"a\":2}", "{\"a\":1} x", "[1,]", "{'a':1}", "01", "\"tab\there\"", "[1e]", "tru")) {
            assertThrows(VerificationException.class, () -> Json.parse(bad), bad);
        }
        assertEquals(new BigDecimal("1.5"), Json.parse("1.5"));
        assertEquals(-42L, Json.parse("-42"));
    }

    @Test
    void anEntryRoundTripsThroughItsCanonicalBytes() throws VerificationException {
        LogEntry entry = entry(Map.of("state", "GRANTED", "evidence", Map.of("ipPrefix", LogEntry.sealed(new byte[] {1, 2, 3}))));
        byte[] bytes = entry.toBytes();
        assertEquals(entry, LogEntry.parse(bytes));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("{\"data\":{\"evidence\":{\"ipPrefix\":{\"sealed\":\"AQID\"}},\"state\":\"GRANTED\"},\"eventId\":"),
                text);
    }

    @Test
    void entryBytesThatAreNotCanonicalOrCarryUnknownMembersAreRefused() {
        String canonical = new String(entry(Map.of("state", "GRANTED")).toBytes(), StandardCharsets.UTF_8);
        for (String bad : List.of(canonical.replace(",\"eventId\"", ", \"eventId\""), canonical.replace("\"v\":1}", "\"v\":1,\"x\":1}"),
                canonical.replace("\"v\":1}", "\"v\":2}"), canonical.replace("\"seq\":7", "\"seq\":-7"),
                canonical.substring(0, canonical.length() - 1))) {
            assertThrows(VerificationException.class, () -> LogEntry.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    static LogEntry entry(Object data) {
        return new LogEntry("acme", 7, UUID.fromString("6f1c2b4e-8a2d-4c3e-9f10-1a2b3c4d5e6f"), "io.samtykke.consent.granted.v1",
                "/samtykke/consent-service", Instant.parse("2026-05-01T10:00:00.100Z"), "newsletter", "c3ViamVjdA", 3L,
                Instant.parse("2026-05-01T10:00:00.120Z"), data);
    }
}
