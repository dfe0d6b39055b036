package io.samtykke.preference.webhook;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Only IP literals and "localhost" (from the hosts file): these tests never ask DNS. */
class PrivateNetworksTest {

    @Test
    void ipv4LoopbackPrivateLinkLocalCarrierGradeNatUnspecifiedAndMulticastAreRefused() throws Exception {
        assertKind("127.0.0.1", "a loopback address (127.0.0.0/8)");
        assertKind("127.255.255.254", "a loopback address (127.0.0.0/8)");
        assertKind("10.0.0.1", "a private (RFC 1918) address (10.0.0.0/8)");
        assertKind("10.255.255.255", "a private (RFC 1918) address (10.0.0.0/8)");
        assertKind("172.16.0.1", "a private (RFC 1918) address (172.16.0.0/12)");
        assertKind("172.31.255.255", "a private (RFC 1918) address (172.16.0.0/12)");
        assertKind("192.168.1.1", "a private (RFC 1918) address (192.168.0.0/16)");
        assertKind("169.254.169.254", "a link-local address (169.254.0.0/16)");
        assertKind("169.254.0.1", "a link-local address (169.254.0.0/16)");
        assertKind("100.64.0.1", "a carrier-grade NAT (RFC 6598) address (100.64.0.0/10)");
        assertKind("100.127.255.255", "a carrier-grade NAT (RFC 6598) address (100.64.0.0/10)");
        assertKind("0.0.0.0", "an unspecified address (0.0.0.0/8)");
        assertKind("224.0.0.1", "a multicast address (224.0.0.0/4)");
        assertKind("239.255.255.250", "a multicast address (224.0.0.0/4)");
        assertKind("255.255.255.255", "a reserved or broadcast address (240.0.0.0/4)");
    }

    @Test
    void publicIpv4AddressesIncludingTheNeighboursOfPrivateBlocksAreAllowed() throws Exception {
        for (String ip : List.of("93.184.216.34", "8.8.8.8", "1.1.1.1", "9.255.255.255", "11.0.0.0", "172.15.255.255",
                "172.32.0.0", "192.167.255.255", "192.169.0.0", "100.63.255.255", "100.128.0.0", "169.253.255.255",
                "169.255.0.0", "126.255.255.255", "128.0.0.0", "1.0.0.0", "223.255.255.255")) {
            assertEquals(Optional.empty(), PrivateNetworks.classify(InetAddress.getByName(ip)), ip);
        }
    }

    @Test
    void ipv6LoopbackUniqueLocalLinkLocalUnspecifiedAndMulticastAreRefused() throws Exception {
        assertKind("::1", "the loopback address (::1/128)");
        assertKind("::", "the unspecified address (::/128)");
        assertKind("fe80::1", "a link-local address (fe80::/10)");
        assertKind("febf:ffff::1", "a link-local address (fe80::/10)");
        assertKind("fc00::1", "a unique local (private) address (fc00::/7)");
        assertKind("fd12:3456:789a::1", "a unique local (private) address (fc00::/7)");
        assertKind("fec0::1", "a site-local (private) address (fec0::/10)");
        assertKind("ff02::1", "a multicast address (ff00::/8)");
        for (String ip : List.of("2606:2800:220:1:248:1893:25c8:1946", "2001:4860:4860::8888", "fbff::1", "fe7f::1", "2a00:1450:4001::1")) {
            assertEquals(Optional.empty(), PrivateNetworks.classify(InetAddress.getByName(ip)), ip);
        }
    }

    @Test
    void ipv6AddressesCarryingAnIpv4AddressAreJudgedByIt() throws Exception {
        // Java hands ::ffff:a.b.c.d back as the IPv4 address itself ...
        assertKind("::ffff:127.0.0.1", "a loopback address (127.0.0.0/8)");
        assertKind("::ffff:169.254.169.254", "a link-local address (169.254.0.0/16)");
        // ... but an address built from bytes stays IPv6, and must not slip through
        InetAddress mapped = Inet6Address.getByAddress(null, bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1), -1);
        assertEquals(Optional.of("an IPv4-mapped IPv6 address of 127.0.0.1, a loopback address (127.0.0.0/8)"),
                PrivateNetworks.classify(mapped));
        assertKind("::10.1.2.3", "an IPv4-compatible IPv6 address of 10.1.2.3, a private (RFC 1918) address (10.0.0.0/8)");
        assertKind("64:ff9b::a9fe:a9fe", "a NAT64 IPv6 address of 169.254.169.254, a link-local address (169.254.0.0/16)");
        assertEquals(Optional.empty(), PrivateNetworks.classify(InetAddress.getByName("::ffff:93.184.216.34")));
        assertEquals(Optional.empty(), PrivateNetworks.classify(InetAddress.getByName("64:ff9b::5db8:d822")), "93.184.216.34");
    }

    /** The local runner's setting: receivers beside the cluster, and nothing else that is not public. */
    @Test
    void allowingLoopbackLetsOnlyThisMachineThrough() throws UnknownHostException {
        for (String host : new String[] {"127.0.0.1", "127.1.2.3", "[::1]", "localhost", "2130706433"}) {
            assertEquals(Optional.empty(), PrivateNetworks.check(host, true), host);
        }
        for (String host : new String[] {"169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "100.64.0.1", "0.0.0.0",
                "[fe80::1]", "[fc00::1]", "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]", "2852039166"}) {
            assertTrue(PrivateNetworks.check(host, true).isPresent(), host);
        }
    }

    @Test
    void checkingAHostSaysWhatItIsOrResolvesTo() throws UnknownHostException {
        assertEquals(Optional.of("127.0.0.1 is a loopback address (127.0.0.0/8)"), PrivateNetworks.check("127.0.0.1"));
        assertEquals(Optional.of("::1 is the loopback address (::1/128)"), PrivateNetworks.check("[::1]"));
        assertEquals(Optional.of("169.254.169.254 is a link-local address (169.254.0.0/16)"), PrivateNetworks.check("169.254.169.254"));
        Optional<String> localhost = PrivateNetworks.check("localhost");
        assertTrue(localhost.isPresent() && localhost.get().startsWith("localhost resolves to "), localhost.toString());
        assertEquals(Optional.empty(), PrivateNetworks.check("93.184.216.34"));
        assertEquals(Optional.empty(), PrivateNetworks.check("[2606:2800:220:1:248:1893:25c8:1946]"));
    }

    private static void assertKind(String ip, String kind) throws UnknownHostException {
        assertEquals(Optional.of(kind), PrivateNetworks.classify(InetAddress.getByName(ip)), ip);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
