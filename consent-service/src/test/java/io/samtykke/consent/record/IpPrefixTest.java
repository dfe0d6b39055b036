package io.samtykke.consent.record;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class IpPrefixTest {

    @Test
    void ipv4IsTruncatedToSlash24() {
        assertEquals("203.0.113.0/24", IpPrefix.of("203.0.113.77"));
    }

    @Test
    void ipv6IsTruncatedToSlash48() {
        assertEquals("2001:db8:85a3:0:0:0:0:0/48", IpPrefix.of("2001:db8:85a3:8d3:1319:8a2e:370:7348"));
        assertEquals("2001:db8:85a3:0:0:0:0:0/48", IpPrefix.of("[2001:db8:85a3::1]"));
    }

    @Test
    void hostNamesAndGarbageAreNotResolvedButDropped() {
        assertNull(IpPrefix.of("example.com"));
        assertNull(IpPrefix.of("not an ip"));
        assertNull(IpPrefix.of(null));
    }
}
