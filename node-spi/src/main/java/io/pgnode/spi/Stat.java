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

    public Stat {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(link, "link is null");
    }
}
