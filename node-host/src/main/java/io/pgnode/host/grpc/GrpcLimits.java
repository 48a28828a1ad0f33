package io.pgnode.host.grpc;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.wire.BodyLimit;
import java.time.Duration;

/**
 * How much the gRPC listener takes from a client, and for how long it waits on a silent one.
 *
 * @param bodyLimit the largest request message, and what a chunked user upload may have in all, on the wire
 *     and once parsed
 * @param pingInterval how long a connection may be silent before the node pings it (grpc-java makes less than
 *     10 s into 10 s)
 * @param pingTimeout how long the node then waits for the answer before it closes the connection: a client that
 *     never sent the HTTP/2 preface (or vanished) is gone after {@code pingInterval + pingTimeout}
 */
public record GrpcLimits(BodyLimit bodyLimit, Duration pingInterval, Duration pingTimeout) {

    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(10);

    public GrpcLimits {
        requireNonNull(bodyLimit, "bodyLimit is null");
        requireNonNull(pingInterval, "pingInterval is null");
        requireNonNull(pingTimeout, "pingTimeout is null");
    }

    /** The node's defaults with this message limit. */
    public static GrpcLimits of(BodyLimit bodyLimit) {
        return new GrpcLimits(bodyLimit, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT);
    }
}
