package io.pgnode.plugin.xray.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the cores read the values of a rule's fields (their config loaders' string lists, port lists, addresses and
 * ranges), for the node to check a rule and to encode it. Every method answers a value or throws
 * {@link IllegalArgumentException} with a sentence naming what is wrong.
 */
final class RuleFields {

    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");

    private RuleFields() {}

    /**
     * A string list as the cores take it: a JSON array of strings, or one string of comma-separated items (split as
     * is: {@code "a, b"} is {@code "a"} and {@code " b"}).
     */
    static List<String> strings(String field, JsonNode value) {
        List<String> items = new ArrayList<>();
        if (value.isTextual()) {
            for (String item : value.asText().split(",", -1)) {
                items.add(item);
            }
        } else if (value.isArray()) {
            for (JsonNode item : value) {
                if (!item.isTextual()) {
                    throw new IllegalArgumentException("\"" + field + "\" must hold strings, not " + item);
                }
                items.add(item.asText());
            }
        } else {
            throw new IllegalArgumentException("\"" + field + "\" must be a list of strings or one comma-separated"
                    + " string, not " + value);
        }
        for (String item : items) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException("\"" + field + "\" has an empty entry");
            }
        }
        return items;
    }

    /** A port range, both ends inclusive. */
    record Range(int from, int to) {}

    /** A port list as the cores take it: a number, or a string of ports and {@code from-to} ranges, comma-separated. */
    static List<Range> ports(String field, JsonNode value) {
        List<Range> ranges = new ArrayList<>();
        if (value.isIntegralNumber()) {
            int port = port(field, value.asText());
            ranges.add(new Range(port, port));
            return ranges;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a port number or a string such as"
                    + " \"80,443,1000-2000\", not " + value);
        }
        for (String part : value.asText().split(",")) {
            String item = part.strip();
            if (item.isEmpty()) {
                continue;
            }
            if (item.startsWith("env:")) {
                throw new IllegalArgumentException("\"" + field + "\" takes ports from the environment (" + item
                        + "); give the ports themselves");
            }
            int dash = item.indexOf('-');
            int from = port(field, dash < 0 ? item : item.substring(0, dash));
            int to = dash < 0 ? from : port(field, item.substring(dash + 1));
            if (from > to) {
                throw new IllegalArgumentException("\"" + field + "\" has the range " + item + ", which ends before"
                        + " it begins");
            }
            ranges.add(new Range(from, to));
        }
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" names no port");
        }
        return ranges;
    }

    private static int port(String field, String text) {
        int port;
        try {
            port = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + field + "\" has \"" + text + "\", which is not a port");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("\"" + field + "\" has " + port + ", which is not a port (0 to 65535)");
        }
        return port;
    }

    /** An address range: the address's bytes (4 or 16) and the prefix length. */
    record Cidr(byte[] address, int prefix) {}

    /**
     * An IP address or CIDR literal, as the cores parse one; a host name is not an address. Answers empty for text
     * that is no literal at all (the caller names the field).
     */
    static Optional<Cidr> cidr(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        Optional<byte[]> bytes = address(address);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        int max = bytes.get().length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (prefix < 0 || prefix > max) {
                return Optional.empty();
            }
        }
        return Optional.of(new Cidr(bytes.get(), prefix));
    }

    /** The bytes of an IPv4 or IPv6 literal (an IPv4-mapped IPv6 address is IPv4, as the cores take it). */
    static Optional<byte[]> address(String text) {
        if (IPV4.matcher(text).matches()) {
            return Optional.of(parse(text));
        }
        // only literals reach InetAddress, which would look a host name up
        if (text.contains(":") && IPV6_CHARACTERS.matcher(text).matches()) {
            try {
                return Optional.of(parse(text));
            } catch (IllegalArgumentException notAnAddress) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static byte[] parse(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** The text without its leading {@code !}s, and whether they reverse the match (an odd count). */
    record Reversed(String text, boolean reverse) {}

    static Reversed reversed(String text) {
        boolean reverse = false;
        String rest = text;
        while (rest.startsWith("!")) {
            rest = rest.substring(1);
            reverse = !reverse;
        }
        return new Reversed(rest, reverse);
    }

    /**
     * A list of a geo file: {@code geoip:CODE}, {@code geosite:CODE@attr} or {@code ext:FILE:CODE}.
     *
     * @param code upper case, without the {@code !} that reverses an IP list's match
     * @param attributes a site list's attributes, lower case (empty: none)
     * @param reverse whether the code carried an odd count of {@code !}
     */
    record GeoReference(String file, String code, String attributes, boolean reverse) {}

    static GeoReference geoReference(String field, String entry, String rest, boolean withAttributes) {
        int colon = rest.indexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\"; an external list is"
                    + " ext:FILE:CODE");
        }
        return reference(field, entry, rest.substring(0, colon), rest.substring(colon + 1), withAttributes);
    }

    static GeoReference reference(String field, String entry, String file, String codeWithAttributes,
            boolean withAttributes) {
        String code = codeWithAttributes;
        String attributes = "";
        if (withAttributes) {
            if (codeWithAttributes.endsWith("@") || codeWithAttributes.contains("@@")) {
                throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\", with an empty attribute");
            }
            int at = codeWithAttributes.indexOf('@');
            if (at >= 0) {
                code = codeWithAttributes.substring(0, at);
                attributes = codeWithAttributes.substring(at + 1).toLowerCase(Locale.ROOT);
            }
        }
        Reversed reversed = reversed(code);
        if (reversed.text().isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\", which names no list");
        }
        return new GeoReference(file, reversed.text().toUpperCase(Locale.ROOT), attributes, reversed.reverse());
    }
    /** How a domain entry matches: Xray's Domain.Type numbers (Plain/Substr 0, Regex 1, Domain 2, Full 3), or a list. */
    enum DomainMatch {
        SUBSTRING(0), REGEX(1), DOMAIN(2), FULL(3), LIST(-1);

        private final int number;

        DomainMatch(int number) {
            this.number = number;
        }

        /** The core's Domain.Type number. */
        int number() {
            return number;
        }
    }

    /**
     * One entry of {@code domain}: a matched value, or a geosite list.
     *
     * @param list the list, for {@link DomainMatch#LIST}; null otherwise
     */
    record DomainEntry(DomainMatch match, String value, GeoReference list) {}

    /**
     * Reads a domain entry as the cores do: {@code regexp:}, {@code domain:}, {@code full:}, {@code keyword:},
     * {@code dotless:} (Xray), {@code geosite:CODE[@attr]} and {@code ext:FILE:CODE[@attr]}; anything else matches
     * as a substring.
     */
    static DomainEntry domain(String field, String entry, boolean xray) {
        String rest;
        if (entry.startsWith("geosite:")) {
            return new DomainEntry(DomainMatch.LIST, "", reference(field, entry, "geosite.dat",
                    entry.substring("geosite:".length()), true));
        }
        for (String prefix : xray ? List.of("ext:", "ext-domain:", "ext-site:") : List.of("ext:", "ext-domain:")) {
            if (entry.startsWith(prefix)) {
                return new DomainEntry(DomainMatch.LIST, "", geoReference(field, entry, entry.substring(prefix.length()),
                        true));
            }
        }
        if (entry.startsWith("regexp:")) {
            rest = value(field, entry, "regexp:");
            try {
                Pattern.compile(rest);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\", whose expression does not"
                        + " compile: " + e.getDescription());
            }
            return new DomainEntry(DomainMatch.REGEX, rest, null);
        }
        if (entry.startsWith("domain:")) {
            return new DomainEntry(DomainMatch.DOMAIN, value(field, entry, "domain:"), null);
        }
        if (entry.startsWith("full:")) {
            return new DomainEntry(DomainMatch.FULL, value(field, entry, "full:"), null);
        }
        if (entry.startsWith("keyword:")) {
            return new DomainEntry(DomainMatch.SUBSTRING, value(field, entry, "keyword:"), null);
        }
        if (entry.startsWith("dotless:")) {
            if (!xray) {
                throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\": dotless: is Xray's, and"
                        + " a V2Ray core would match it as plain text");
            }
            String substring = entry.substring("dotless:".length());
            if (substring.contains(".")) {
                throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\"; what dotless: matches"
                        + " holds no dot");
            }
            return new DomainEntry(DomainMatch.REGEX, substring.isEmpty() ? "^[^.]*$"
                    : "^[^.]*" + substring + "[^.]*$", null);
        }
        return new DomainEntry(DomainMatch.SUBSTRING, entry, null);
    }

    private static String value(String field, String entry, String prefix) {
        String value = entry.substring(prefix.length());
        if (value.isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" has \"" + entry + "\", with nothing after "
                    + prefix);
        }
        return value;
    }

    /**
     * One entry of an address field: a range, or a geoip list.
     *
     * @param cidr the range; null for a list
     * @param list the list; null for a range
     * @param reverse whether the entry matches every address but these
     */
    record IpEntry(Cidr cidr, GeoReference list, boolean reverse) {}

    /** Reads an address entry: {@code [!]geoip:[!]CODE}, {@code [!]ext:FILE:[!]CODE}, or {@code [!]}IP/CIDR. */
    static IpEntry ip(String field, String entry) {
        Reversed reversed = reversed(entry);
        String text = reversed.text();
        if (text.startsWith("geoip:")) {
            GeoReference list = reference(field, entry, "geoip.dat", text.substring("geoip:".length()), false);
            return new IpEntry(null, list, reversed.reverse() != list.reverse());
        }
        for (String prefix : List.of("ext:", "ext-ip:")) {
            if (text.startsWith(prefix)) {
                GeoReference list = geoReference(field, entry, text.substring(prefix.length()), false);
                return new IpEntry(null, list, reversed.reverse() != list.reverse());
            }
        }
        Cidr cidr = cidr(text).orElseThrow(() -> new IllegalArgumentException("\"" + field + "\" has \"" + entry
                + "\", which is neither an IP address, a CIDR range, geoip:CODE nor ext:FILE:CODE"));
        return new IpEntry(cidr, null, reversed.reverse());
    }
}
