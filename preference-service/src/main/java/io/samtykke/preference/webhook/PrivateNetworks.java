package io.samtykke.preference.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The addresses a webhook must not reach unless private networks are allowed: the service's own host and networks,
 * and cloud metadata (169.254.169.254), so a subscriber cannot use deliveries to probe them (SSRF). Plain Java.
 */
public final class PrivateNetworks {

    /** An address block with what it is, e.g. {@code 10.0.0.0/8}, "private (RFC 1918)". */
    private record Block(byte[] prefix, int bits, String cidr, String kind) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit += 8) {
                int mask = bits - bit >= 8 ? 0xff : 0xff << (8 - (bits - bit)) & 0xff;
                if ((address[bit / 8] & mask) != (prefix[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        String describe() {
            return kind + " address (" + cidr + ")";
        }
    }

    private static final List<Block> BLOCKS = List.of(
            block("0.0.0.0/8", "an unspecified"),
            block("127.0.0.0/8", "a loopback"),
            block("10.0.0.0/8", "a private (RFC 1918)"),
            block("172.16.0.0/12", "a private (RFC 1918)"),
            block("192.168.0.0/16", "a private (RFC 1918)"),
            block("100.64.0.0/10", "a carrier-grade NAT (RFC 6598)"),
            block("169.254.0.0/16", "a link-local"),
            block("224.0.0.0/4", "a multicast"),
            block("240.0.0.0/4", "a reserved or broadcast"),
            block("::/128", "the unspecified"),
            block("::1/128", "the loopback"),
            block("fc00::/7", "a unique local (private)"),
            block("fe80::/10", "a link-local"),
            block("fec0::/10", "a site-local (private)"),
            block("ff00::/8", "a multicast"));

    /** IPv6 addresses that carry an IPv4 address in their last 32 bits, which is where they lead. */
    private static final List<Block> CARRYING_IPV4 = List.of(
            block("::ffff:0:0/96", "an IPv4-mapped"),
            block("::/96", "an IPv4-compatible"),
            block("64:ff9b::/96", "a NAT64"));

    private PrivateNetworks() {
    }

    /** What kind of non-public address this is, e.g. "a loopback address (127.0.0.0/8)"; empty for a public one. */
    public static Optional<String> classify(InetAddress address) {
        byte[] bytes = address.getAddress();
        Optional<String> own = match(bytes);
        if (own.isPresent() || bytes.length == 4) {
            return own;
        }
        for (Block carrier : CARRYING_IPV4) {
            if (carrier.contains(bytes)) {
                byte[] ipv4 = Arrays.copyOfRange(bytes, 12, 16);
                return match(ipv4).map(kind -> carrier.kind() + " IPv6 address of " + text(ipv4) + ", " + kind);
            }
        }
        return Optional.empty();
    }

    /**
     * Why a webhook may not go to {@code host} (a name, or an IP literal with or without brackets): the first of its
     * addresses that is not public, described; empty when all are public. Resolves the name, so it blocks; an IP
     * literal is never looked up.
     */
    public static Optional<String> check(String host) throws UnknownHostException {
        return check(host, false);
    }

    /**
     * As {@link #check(String)}; with {@code allowLoopback} this machine's loopback addresses (127.0.0.0/8, ::1) pass,
     * for a development cluster whose receivers run beside it. Link-local (cloud metadata), private and the rest stay refused.
     */
    public static Optional<String> check(String host, boolean allowLoopback) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        for (InetAddress address : InetAddress.getAllByName(name)) {
            if (allowLoopback && address.isLoopbackAddress()) {
                continue;
            }
            Optional<String> kind = classify(address);
            if (kind.isPresent()) {
                return Optional.of(isLiteral(name) ? name + " is " + kind.get()
                        : name + " resolves to " + address.getHostAddress() + ", " + kind.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> match(byte[] address) {
        return BLOCKS.stream().filter(b -> b.contains(address)).findFirst().map(Block::describe);
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    private static String text(byte[] ipv4) {
        return (ipv4[0] & 0xff) + "." + (ipv4[1] & 0xff) + "." + (ipv4[2] & 0xff) + "." + (ipv4[3] & 0xff);
    }

    private static Block block(String cidr, String kind) {
        int slash = cidr.indexOf('/');
        try {
            // IP literals only: never a name lookup
            byte[] prefix = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            if (cidr.contains(":") && prefix.length == 4) {
                // Java turns ::ffff:a.b.c.d into an IPv4 address; the block is meant as IPv6
                prefix = ipv4Mapped(prefix);
            }
            return new Block(prefix, Integer.parseInt(cidr.substring(slash + 1)), cidr, kind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(cidr, e);
        }
    }

    private static byte[] ipv4Mapped(byte[] ipv4) {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ipv4, 0, mapped, 12, 4);
        return mapped;
    }
}
