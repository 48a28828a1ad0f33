package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * The body step of every request, between authentication and the route: the body is received in full on the
 * IO thread ({@link BodyReception}), within the body timeout, and only then does the route get a worker. So
 * slow clients never hold workers: a body of at most {@link #SMALL_BODY_BYTES} is received at once; larger ones
 * (and those of unknown length) wait their turn at the {@link LargeBodyGate}, because each costs several times
 * its size in heap until its route is done.
 */
final class RequestBodies {

    /** Bodies up to this size (every stats query, single-user sync, small Start) are received at once. */
    static final int SMALL_BODY_BYTES = 64 * 1024;

    private final RestLimits limits;
    private final LargeBodyGate largeBodies;

    RequestBodies(RestLimits limits) {
        this.limits = requireNonNull(limits, "limits is null");
        this.largeBodies = new LargeBodyGate(limits.largeBodies(), limits.waitingLargeBodies());
    }

    /**
     * Runs {@code route} on a worker thread once the body is in ({@link RequestBody#of}); the route's own answer
     * or error ends the exchange. Call on the IO thread.
     *
     * @throws io.pgnode.host.error.NodeException {@code BODY_TOO_LARGE} when the announced length is over the
     *     limit (nothing was read)
     */
    void receiveThen(HttpServerExchange exchange, HttpHandler route) {
        if (exchange.isRequestComplete()) {
            exchange.dispatch(route); // no body
            return;
        }
        long length = exchange.getRequestContentLength();
        if (length > limits.bodyLimit().maxBytes()) {
            throw limits.bodyLimit().exceeded(BodyReception.WHAT);
        }
        BodyReception reception = new BodyReception(exchange, limits.bodyLimit(), limits.bodyTimeout(), route);
        boolean small = length >= 0 && length <= SMALL_BODY_BYTES;
        // dispatched to the same (IO) thread: the exchange stays open once the root handler returns
        exchange.dispatch(SameThreadExecutor.INSTANCE,
                small ? reception::start : () -> reception.startThrough(largeBodies));
    }

    /**
     * For an answer given before the body was read: Undertow reads the body away, so that the client, still
     * sending, sees the answer; this closes the connection if that takes longer than the body timeout.
     */
    void closeIfUnread(HttpServerExchange exchange) {
        if (exchange.isRequestComplete()) {
            return;
        }
        // no size limit while the body is read away (the deadline below bounds it): over the limit Undertow would
        // close the connection at once, and the reset could reach the client before the answer it was sent
        if (exchange.isRequestChannelAvailable()) {
            exchange.setMaxEntitySize(0);
        }
        XnioExecutor.Key deadline = exchange.getIoThread().executeAfter(
                () -> IoUtils.safeClose(exchange.getConnection()), limits.bodyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        exchange.addExchangeCompleteListener((ended, next) -> {
            deadline.remove();
            next.proceed();
        });
    }
}
