package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

/**
 * One traffic counter, shaped as the panel expects it.
 *
 * @param name the user's email, or the inbound's or outbound's tag
 * @param type the direction: {@code "uplink"} (client to server) or {@code "downlink"}
 * @param link what is counted; {@code "traffic"} for byte counters
 * @param value bytes
 */
public record Stat(String name, String type, String link, long value) {

    /** The type of traffic from the client (user) towards the node, or from the node to a destination. */
    public static final String UPLINK = "uplink";
    /** The type of traffic towards the client. */
    public static final String DOWNLINK = "downlink";
    /** The link of byte counters. */
    public static final String TRAFFIC = "traffic";

    public Stat {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(link, "link is null");
    }
}
