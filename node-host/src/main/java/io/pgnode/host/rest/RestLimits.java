package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.wire.BodyLimit;
import java.time.Duration;

/**
 * How much the REST listener takes from a client, and for how long it waits on a slow or silent one.
 *
 * @param bodyLimit the largest request body, a chunked upload's whole body included, on the wire and once
 *     parsed
 * @param bodyTimeout how long a request may take from its headers to the end of its body (REST_BODY_TIMEOUT);
 *     a body still arriving then is answered 408 {@code BODY_TIMEOUT} and its connection closed
 * @param headerTimeout how long a request's headers may take once they began to arrive
 * @param idleTimeout how long a connection may wait for its next request (a new connection for its first)
 * @param largeBodies how many bodies larger than {@link RequestBodies#SMALL_BODY_BYTES} (or of unknown length)
 *     the node receives and serves at once; the others wait in a queue that holds no thread
 * @param waitingLargeBodies how many may wait; beyond that a large upload is answered 503
 *     {@code TOO_MANY_UPLOADS}
 */
public record RestLimits(BodyLimit bodyLimit, Duration bodyTimeout, Duration headerTimeout, Duration idleTimeout,
        int largeBodies, int waitingLargeBodies) {

    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** One at a time: a large body costs about five times its size in heap while it is parsed and applied. */
    public static final int DEFAULT_LARGE_BODIES = 1;
    public static final int DEFAULT_WAITING_LARGE_BODIES = 64;

    public RestLimits {
        requireNonNull(bodyLimit, "bodyLimit is null");
        positive(requireNonNull(bodyTimeout, "bodyTimeout is null"), "bodyTimeout");
        positive(requireNonNull(headerTimeout, "headerTimeout is null"), "headerTimeout");
        positive(requireNonNull(idleTimeout, "idleTimeout is null"), "idleTimeout");
        if (largeBodies < 1 || waitingLargeBodies < 0) {
            throw new IllegalArgumentException("largeBodies must be positive and waitingLargeBodies not negative");
        }
    }

    /** The node's defaults with this body limit and body timeout. */
    public static RestLimits of(BodyLimit bodyLimit, Duration bodyTimeout) {
        return new RestLimits(bodyLimit, bodyTimeout, DEFAULT_HEADER_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_LARGE_BODIES, DEFAULT_WAITING_LARGE_BODIES);
    }

    private static void positive(Duration duration, String name) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
