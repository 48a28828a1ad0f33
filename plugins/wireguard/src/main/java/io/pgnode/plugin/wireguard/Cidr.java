package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address with a prefix length, e.g. {@code 10.8.0.1/24} or {@code fd00::2/128}: an interface
 * address, or a peer's allowed IPs. Parsed strictly from literals: a host name is never looked up.
 */
final class Cidr implements Comparable<Cidr> {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern PREFIX = Pattern.compile("0|[1-9]\\d{0,2}");

    private final byte[] address;
    private final int prefix;

    private Cidr(byte[] address, int prefix) {
        this.address = address;
        this.prefix = prefix;
    }

    /**
     * Parses {@code ADDRESS/PREFIX}.
     *
     * @throws IllegalArgumentException saying what is wrong, e.g. "has no /prefix"
     */
    static Cidr parse(String text) {
        requireNonNull(text, "text is null");
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("has no /prefix");
        }
        byte[] address = parseAddress(text.substring(0, slash));
        String prefixText = text.substring(slash + 1);
        int max = address.length * 8;
        if (!PREFIX.matcher(prefixText).matches() || Integer.parseInt(prefixText) > max) {
            throw new IllegalArgumentException("has a prefix length that is not 0 to " + max);
        }
        return new Cidr(address, Integer.parseInt(prefixText));
    }

    private static byte[] parseAddress(String text) {
        Matcher v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                String octet = v4.group(i + 1);
                if ((octet.length() > 1 && octet.charAt(0) == '0') || Integer.parseInt(octet) > 255) {
                    throw new IllegalArgumentException("is not an IP address");
                }
                bytes[i] = (byte) Integer.parseInt(octet);
            }
            return bytes;
        }
        // only a literal with a colon reaches InetAddress, which parses such text without any lookup
        if (text.indexOf(':') >= 0 && IPV6_CHARACTERS.matcher(text).matches()) {
            try {
                InetAddress parsed = InetAddress.getByName(text);
                if (parsed instanceof Inet6Address) {
                    return parsed.getAddress();
                }
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new IllegalArgumentException("is not an IP address");
    }

    boolean isIpv6() {
        return address.length == 16;
    }

    int prefix() {
        return prefix;
    }

    /** The network this address lies in: host bits cleared, e.g. {@code 10.8.0.0/24} for {@code 10.8.0.1/24}. */
    Cidr network() {
        byte[] masked = address.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return Arrays.equals(masked, address) ? this : new Cidr(masked, prefix);
    }

    /** The first address of the network, as a number. */
    BigInteger first() {
        return new BigInteger(1, network().address);
    }

    /** The last address of the network, as a number. */
    BigInteger last() {
        int hostBits = address.length * 8 - prefix;
        return first().add(BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE));
    }

    /** Whether the two networks share an address (one contains the other). */
    boolean overlaps(Cidr other) {
        return isIpv6() == other.isIpv6() && first().compareTo(other.last()) <= 0
                && other.first().compareTo(last()) <= 0;
    }

    /** IPv4 before IPv6, then by address and prefix. */
    @Override
    public int compareTo(Cidr other) {
        if (address.length != other.address.length) {
            return Integer.compare(address.length, other.address.length);
        }
        int byAddress = Arrays.compareUnsigned(address, other.address);
        return byAddress != 0 ? byAddress : Integer.compare(prefix, other.prefix);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr && ((Cidr) other).prefix == prefix && Arrays.equals(((Cidr) other).address, address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefix;
    }

    /** {@code 10.8.0.1/24}, {@code fd00::1/64}: the form {@code wg} and {@code ip} print. */
    @Override
    public String toString() {
        return (isIpv6() ? ipv6Text(address) : ipv4Text(address)) + "/" + prefix;
    }

    private static String ipv4Text(byte[] a) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }

    /** RFC 5952: lower case, no leading zeros, the longest run of two or more zero groups as {@code ::}. */
    private static String ipv6Text(byte[] a) {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
