package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

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

    CounterName {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(direction, "direction is null");
    }

    /** Parses a traffic counter's name; other names (online maps, foreign counters) are empty. */
    static Optional<CounterName> parse(String counter) {
        int first = counter.indexOf(SEPARATOR);
        int last = counter.lastIndexOf(SEPARATOR);
        if (first < 0 || last <= first) {
            return Optional.empty();
        }
        String direction = counter.substring(last + SEPARATOR.length());
        String beforeDirection = counter.substring(0, last);
        int linkStart = beforeDirection.lastIndexOf(SEPARATOR);
        if (linkStart <= first || !beforeDirection.substring(linkStart + SEPARATOR.length()).equals(LINK)) {
            return Optional.empty();
        }
        if (!direction.equals("uplink") && !direction.equals("downlink")) {
            return Optional.empty();
        }
        String kind = counter.substring(0, first);
        String name = counter.substring(first + SEPARATOR.length(), linkStart);
        return Optional.of(new CounterName(kind, name, direction));
    }

    /** The counter's full name in the core. */
    static String of(String kind, String name, String direction) {
        return kind + SEPARATOR + name + SEPARATOR + LINK + SEPARATOR + direction;
    }
}
