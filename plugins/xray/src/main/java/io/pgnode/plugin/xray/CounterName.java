package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.TrafficOwner;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A traffic counter's name in the core: {@code kind>>>name>>>traffic>>>uplink|downlink}, where kind is
 * {@code user}, {@code inbound} or {@code outbound} and name the email or tag (XRAY-API.md §6.1).
 *
 * @param kind user, inbound or outbound
 * @param name the email or tag; may itself contain the separator, which is why parsing works from both ends
 * @param direction uplink or downlink
 */
record CounterName(String kind, String name, String direction) {

    static final String SEPARATOR = ">>>";
    static final String LINK = "traffic";
    static final String UPLINK = "uplink";
    static final String DOWNLINK = "downlink";

    private static final byte[] SEPARATOR_BYTES = ascii(SEPARATOR);
    private static final byte[] LINK_BYTES = ascii(LINK);
    private static final byte[] UPLINK_BYTES = ascii(UPLINK);
    private static final byte[] DOWNLINK_BYTES = ascii(DOWNLINK);
    private static final String[] KINDS = {"user", "inbound", "outbound"};
    private static final byte[][] KIND_BYTES = {ascii("user"), ascii("inbound"), ascii("outbound")};
    private static final byte[][] KIND_PREFIXES = {ascii("user>>>"), ascii("inbound>>>"), ascii("outbound>>>")};
    private static final byte[] UPLINK_SUFFIX = ascii(">>>traffic>>>uplink");
    private static final byte[] DOWNLINK_SUFFIX = ascii(">>>traffic>>>downlink");

    CounterName {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(direction, "direction is null");
    }

    /** The counter kind of an owner: {@code user}, {@code inbound} or {@code outbound}. */
    static String kind(TrafficOwner owner) {
        return switch (owner) {
            case USER -> KINDS[0];
            case INBOUND -> KINDS[1];
            case OUTBOUND -> KINDS[2];
        };
    }

    /**
     * What every counter name of the owner starts with, {@code kind>>>}: the QueryStats pattern for them (the
     * core matches it anywhere in a name, so an answer may hold other counters too; see {@link #owner()}).
     */
    static String prefix(TrafficOwner owner) {
        return kind(owner) + SEPARATOR;
    }

    /** Whose traffic this counter counts, or null for a kind the node does not report. */
    TrafficOwner owner() {
        return switch (kind) {
            case "user" -> TrafficOwner.USER;
            case "inbound" -> TrafficOwner.INBOUND;
            case "outbound" -> TrafficOwner.OUTBOUND;
            default -> null;
        };
    }

    /** Parses a traffic counter's name; other names (online maps, foreign counters) are empty. */
    static Optional<CounterName> parse(String counter) {
        byte[] bytes = counter.getBytes(StandardCharsets.UTF_8);
        return Optional.ofNullable(parse(bytes, 0, bytes.length));
    }

    /**
     * Parses a name given as UTF-8 bytes, as the core's answers carry it, or answers null for a name that is not
     * a traffic counter. Only the email or tag becomes a new string: a stats poll of 100,000 users parses
     * 200,000 names. (The separator is ASCII, so it cannot match inside a multi-byte character.)
     */
    static CounterName parse(byte[] bytes, int offset, int length) {
        CounterName usual = parseUsual(bytes, offset, length);
        return usual != null ? usual : parseAny(bytes, offset, length);
    }

    /**
     * The usual name, {@code user|inbound|outbound>>>NAME>>>traffic>>>uplink|downlink}, read by comparing its two
     * ends instead of searching it for separators (a poll parses 200,000); null for any other name, which
     * {@link #parseAny} then reads. Same result: no separator can start inside the known kind or suffix.
     */
    private static CounterName parseUsual(byte[] bytes, int offset, int length) {
        int end = offset + length;
        String direction = endsWith(bytes, offset, end, UPLINK_SUFFIX) ? UPLINK
                : endsWith(bytes, offset, end, DOWNLINK_SUFFIX) ? DOWNLINK : null;
        if (direction == null) {
            return null;
        }
        int linkStart = end - (direction == UPLINK ? UPLINK_SUFFIX : DOWNLINK_SUFFIX).length;
        for (int k = 0; k < KINDS.length; k++) {
            int nameStart = offset + KIND_PREFIXES[k].length;
            if (nameStart < linkStart && regionIs(bytes, offset, nameStart, KIND_PREFIXES[k])) {
                return new CounterName(KINDS[k], new String(bytes, nameStart, linkStart - nameStart,
                        StandardCharsets.UTF_8), direction);
            }
        }
        return null;
    }

    private static boolean endsWith(byte[] bytes, int offset, int end, byte[] suffix) {
        return end - offset >= suffix.length && regionIs(bytes, end - suffix.length, end, suffix);
    }

    private static CounterName parseAny(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int first = indexOf(bytes, offset, end, SEPARATOR_BYTES);
        int last = lastIndexOf(bytes, offset, end, SEPARATOR_BYTES);
        if (first < 0 || last <= first) {
            return null;
        }
        int directionStart = last + SEPARATOR_BYTES.length;
        String direction = regionIs(bytes, directionStart, end, UPLINK_BYTES) ? UPLINK
                : regionIs(bytes, directionStart, end, DOWNLINK_BYTES) ? DOWNLINK : null;
        int linkStart = lastIndexOf(bytes, offset, last, SEPARATOR_BYTES);
        if (direction == null || linkStart < first + SEPARATOR_BYTES.length // overlapping separators: no name
                || !regionIs(bytes, linkStart + SEPARATOR_BYTES.length, last, LINK_BYTES)) {
            return null;
        }
        String kind = null;
        for (int k = 0; k < KINDS.length && kind == null; k++) {
            kind = regionIs(bytes, offset, first, KIND_BYTES[k]) ? KINDS[k] : null;
        }
        if (kind == null) {
            kind = new String(bytes, offset, first - offset, StandardCharsets.UTF_8);
        }
        int nameStart = first + SEPARATOR_BYTES.length;
        return new CounterName(kind, new String(bytes, nameStart, linkStart - nameStart, StandardCharsets.UTF_8),
                direction);
    }

    /** The counter's full name in the core. */
    static String of(String kind, String name, String direction) {
        return kind + SEPARATOR + name + SEPARATOR + LINK + SEPARATOR + direction;
    }

    /** Whether bytes[start, end) are exactly {@code expected}. */
    static boolean regionIs(byte[] bytes, int start, int end, byte[] expected) {
        if (end - start != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (bytes[start + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte[] pattern) {
        for (int i = from; i + pattern.length <= to; i++) {
            if (regionIs(bytes, i, i + pattern.length, pattern)) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] bytes, int from, int to, byte[] pattern) {
        for (int i = to - pattern.length; i >= from; i--) {
            if (regionIs(bytes, i, i + pattern.length, pattern)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
