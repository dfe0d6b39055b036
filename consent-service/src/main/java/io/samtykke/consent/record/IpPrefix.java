package io.samtykke.consent.record;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Truncates an IP address before it is stored: IPv4 to /24, IPv6 to /48 (data minimisation). */
public final class IpPrefix {

    private static final Pattern LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private IpPrefix() {
    }

    /** The truncated prefix in CIDR notation, or null when {@code ip} is not an IP literal. */
    public static String of(String ip) {
        if (ip == null || ip.isBlank()) {
            return null;
        }
        String literal = ip.trim();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        if (!LITERAL.matcher(literal).matches() || (!literal.contains(".") && !literal.contains(":"))) {
            return null; // never resolve host names
        }
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            int keep = bytes.length == 4 ? 3 : 6;
            for (int i = keep; i < bytes.length; i++) {
                bytes[i] = 0;
            }
            return InetAddress.getByAddress(bytes).getHostAddress() + (bytes.length == 4 ? "/24" : "/48");
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
