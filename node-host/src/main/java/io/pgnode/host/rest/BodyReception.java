package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.wire.BodyLimit;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;

/**
 * Receives one request body on its connection's IO thread, so that a slow client never holds a worker: the
 * bytes go into memory as they come, and the route runs on a worker once the body is complete. The body has a
 * deadline counted from the request's arrival (a wait in the {@link LargeBodyGate}'s queue included): a body
 * still arriving then is answered 408 {@code BODY_TIMEOUT} and its connection closed (the rest is never read).
 * A body over the limit is dropped as it goes on arriving and answered 413 {@code BODY_TOO_LARGE} when it ends
 * (or at the deadline, with the connection closed), so that a client still sending sees the answer.
 *
 * <p>Everything but {@link #admitted()} runs on the exchange's IO thread, one step at a time.
 */
final class BodyReception implements ChannelListener<StreamSourceChannel>, LargeBodyGate.Entrant {

    private static final Logger log = LoggerFactory.getLogger(BodyReception.class);
    private static final int SEGMENT_BYTES = 64 * 1024;
    static final String WHAT = "The request body";

    /**
     * DISCARDING: the body went over the limit; the rest is read and dropped, and the 413 goes out when the
     * body ends (a client answered while it is still sending often loses the answer to the reset).
     */
    private enum Phase { WAITING, RECEIVING, DISCARDING, DONE }

    private final HttpServerExchange exchange;
    private final BodyLimit limit;
    private final Duration timeout;
    private final long contentLength;
    private final HttpHandler route;
    private final List<byte[]> segments = new ArrayList<>();
    private final XnioExecutor.Key timer;
    private Phase phase = Phase.WAITING;
    private LargeBodyGate gate;
    private byte[] segment;
    private int filled;
    private long received;
    private StreamSourceChannel channel;

    /**
     * Arms the deadline; call on the IO thread, as the request arrives.
     *
     * @param route what serves the request once its body is complete; runs on a worker thread
     */
    BodyReception(HttpServerExchange exchange, BodyLimit limit, Duration timeout, HttpHandler route) {
        this.exchange = requireNonNull(exchange, "exchange is null");
        this.limit = requireNonNull(limit, "limit is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.contentLength = exchange.getRequestContentLength();
        this.route = requireNonNull(route, "route is null");
        this.timer = exchange.getIoThread().executeAfter(this::deadlinePassed, timeout.toNanos(), TimeUnit.NANOSECONDS);
        exchange.addExchangeCompleteListener((ended, next) -> {
            timer.remove();
            if (gate != null) {
                gate.leave(this);
            }
            next.proceed();
        });
    }

    /** Receives the body now. */
    void start() {
        if (phase != Phase.WAITING) {
            return;
        }
        phase = Phase.RECEIVING;
        exchange.setMaxEntitySize(0); // the limit is this class's: over it, the body is read away, not cut
        channel = exchange.getRequestChannel();
        if (channel == null) {
            throw new IllegalStateException("the request body was already taken");
        }
        channel.getReadSetter().set(this);
        handleEvent(channel);
    }

    /** Receives the body once the gate lets it in; answers 503 {@code TOO_MANY_UPLOADS} when its queue is full. */
    void startThrough(LargeBodyGate largeBodies) {
        this.gate = largeBodies;
        if (!largeBodies.enter(this)) {
            gate = null;
            refuse(new NodeException(ErrorCode.TOO_MANY_UPLOADS, "The node is receiving as many large uploads as "
                    + "it takes at once and has more waiting; send this one again later."));
        }
    }

    @Override
    public void admitted() {
        try {
            exchange.getIoThread().execute(this::start);
        } catch (RuntimeException e) {
            IoUtils.safeClose(exchange.getConnection()); // the IO thread is gone: the node is stopping
        }
    }

    @Override
    public void handleEvent(StreamSourceChannel source) {
        if (phase != Phase.RECEIVING && phase != Phase.DISCARDING) {
            return;
        }
        try {
            while (true) {
                if (segment == null || filled == segment.length) {
                    nextSegment();
                }
                int read = source.read(ByteBuffer.wrap(segment, filled, segment.length - filled));
                if (read == -1) {
                    if (phase == Phase.DISCARDING) {
                        answer(tooLarge(), true);
                    } else {
                        complete();
                    }
                    return;
                }
                if (read == 0) {
                    source.resumeReads();
                    return;
                }
                received += read;
                if (phase == Phase.DISCARDING) {
                    continue;
                }
                filled += read;
                if (received > limit.maxBytes()) {
                    phase = Phase.DISCARDING; // what came is dropped; the segment is reused to read the rest away
                    segments.clear();
                    filled = 0;
                    continue;
                }
                if (received == contentLength) {
                    complete();
                    return;
                }
            }
        } catch (IOException e) {
            log.debug("A request body was cut off: {}", e.getMessage());
            phase = Phase.DONE;
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    // a body of known length is one array; one of unknown length grows by segments, never copied
    private void nextSegment() {
        if (phase == Phase.DISCARDING) {
            filled = 0;
            return;
        }
        if (segment != null) {
            segments.add(segment);
        }
        segment = new byte[contentLength >= 0 ? (int) contentLength : SEGMENT_BYTES];
        filled = 0;
    }

    private void complete() {
        phase = Phase.DONE;
        timer.remove();
        stopReading();
        if (contentLength >= 0 && received < contentLength) {
            IoUtils.safeClose(exchange.getConnection()); // the client went away mid-body
            return;
        }
        if (segment != null && filled > 0) {
            segments.add(filled == segment.length ? segment : Arrays.copyOf(segment, filled));
        }
        RequestBody.attach(exchange, segments);
        exchange.dispatch(route);
    }

    private void deadlinePassed() {
        if (phase == Phase.DONE) {
            return;
        }
        if (gate != null && phase == Phase.WAITING) {
            gate.leave(this);
        }
        if (phase == Phase.DISCARDING) {
            refuse(tooLarge()); // the client never stops sending
            return;
        }
        refuse(new NodeException(ErrorCode.BODY_TIMEOUT, "The request body did not arrive within "
                + describe(timeout) + " (REST_BODY_TIMEOUT; " + received + " bytes came)."));
    }

    private NodeException tooLarge() {
        return limit.exceeded(WHAT);
    }

    /** Answers without reading the rest of the body, and closes the connection after the answer. */
    private void refuse(NodeException error) {
        answer(error, false);
    }

    private void answer(NodeException error, boolean bodyRead) {
        phase = Phase.DONE;
        timer.remove();
        stopReading();
        segments.clear();
        if (!bodyRead) {
            exchange.setPersistent(false);
        }
        RestErrors.send(exchange, error);
    }

    private static String describe(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private void stopReading() {
        if (channel != null) {
            channel.suspendReads();
            channel.getReadSetter().set(null);
        }
    }
}
