package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How much the gRPC listener takes from a client, and for how long it waits on a silent one.
 *
 * @param maxMessageBytes the largest request message, and the most bytes a chunked user upload may have in all
 *     (the node's {@link io.pgnode.host.wire.BodyLimit})
 * @param pingInterval how long a connection may be silent before the node pings it (grpc-java makes less than
 *     10 s into 10 s)
 * @param pingTimeout how long the node then waits for the answer before it closes the connection: a client that
 *     never sent the HTTP/2 preface (or vanished) is gone after {@code pingInterval + pingTimeout}
 */
public record GrpcLimits(long maxMessageBytes, Duration pingInterval, Duration pingTimeout) {

    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);

    public GrpcLimits {
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive");
        }
        requireNonNull(pingInterval, "pingInterval is null");
        requireNonNull(pingTimeout, "pingTimeout is null");
    }

    /** The node's defaults with this message limit. */
    public static GrpcLimits of(long maxMessageBytes) {
        return new GrpcLimits(maxMessageBytes, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT);
    }
}
