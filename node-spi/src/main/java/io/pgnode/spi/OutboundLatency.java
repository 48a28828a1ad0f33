package io.pgnode.spi;

import static java.util.Objects.requireNonNull;

/**
 * The last probe result of one outbound.
 *
 * @param name the outbound's tag
 * @param alive whether the last probe succeeded
 * @param delayMillis the measured delay
 * @param link the probe target
 * @param lastSeenTime when the outbound last answered (Unix seconds)
 * @param lastTryTime when it was last probed (Unix seconds)
 * @param source what measured it
 */
public record OutboundLatency(
        String name, boolean alive, long delayMillis, String link, long lastSeenTime, long lastTryTime, String source) {

    public OutboundLatency {
        requireNonNull(name, "name is null");
        requireNonNull(link, "link is null");
        requireNonNull(source, "source is null");
    }
}
