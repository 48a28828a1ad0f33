package io.pgnode.host.rest;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.service.LogSubscription;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Writes a {@code GET /logs} response without holding a thread: everything happens on the connection's IO
 * thread, woken when a line arrives ({@link LogSubscription#onChange}) or the client can take more. A reader
 * that goes away is noticed at once, whether or not a line is due: the connection is watched for its end of
 * stream (the client sends nothing else on it; the response is {@code Connection: close}). SSE readers also
 * get a comment every {@code keepAliveEvery}, so that proxies keep the stream open.
 */
final class LogStreamResponse {

    private static final Logger log = LoggerFactory.getLogger(LogStreamResponse.class);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final int BATCH_CHARS = 16 * 1024;

    private final HttpServerExchange exchange;
    private final LogSubscription subscription;
    private final boolean events;
    private final Duration keepAliveEvery;
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private StreamSinkChannel channel;
    private ByteBuffer pending;
    private XnioExecutor.Key keepAlive;
    private boolean keepAliveDue;
    private boolean ending;
    private boolean done;

    private LogStreamResponse(HttpServerExchange exchange, LogSubscription subscription, boolean events,
            Duration keepAliveEvery) {
        this.exchange = requireNonNull(exchange, "exchange is null");
        this.subscription = requireNonNull(subscription, "subscription is null");
        this.events = events;
        this.keepAliveEvery = requireNonNull(keepAliveEvery, "keepAliveEvery is null");
    }

    /**
     * Streams the subscription's lines as the exchange's response, from when the calling handler returns. The
     * response headers must be set; {@code events}: SSE framing, else one line per {@code \n}.
     */
    static void start(HttpServerExchange exchange, LogSubscription subscription, boolean events,
            Duration keepAliveEvery) {
        exchange.setPersistent(false); // the stream ends with the connection, and the connection is watched
        LogStreamResponse response = new LogStreamResponse(exchange, subscription, events, keepAliveEvery);
        exchange.dispatch(exchange.getIoThread(), response::begin);
    }

    private void begin() {
        exchange.getConnection().addCloseListener(connection -> stop());
        channel = exchange.getResponseChannel();
        channel.getWriteSetter().set(written -> write());
        watchForTheReaderLeaving();
        if (events) {
            scheduleKeepAlive();
        }
        subscription.onChange(this::wakeUp);
        write(); // the headers go now, not with the first line
    }

    /** From the publishing thread: a line arrived, or the subscription ended. */
    private void wakeUp() {
        if (wakeUpPending.compareAndSet(false, true)) {
            try {
                exchange.getIoThread().execute(() -> {
                    wakeUpPending.set(false);
                    write();
                });
            } catch (RejectedExecutionException e) {
                subscription.close(); // the server is stopping; the connection goes with it
            }
        }
    }

    private void write() {
        if (done) {
            return;
        }
        try {
            if (!ending) {
                while (true) {
                    if (pending != null && pending.hasRemaining()) {
                        channel.write(pending);
                        if (pending.hasRemaining()) {
                            channel.resumeWrites(); // the client is slow: go on when it can take more
                            return;
                        }
                    }
                    pending = nextBatch();
                    if (pending == null) {
                        break;
                    }
                }
                if (subscription.isFinished()) {
                    ending = true;
                    channel.shutdownWrites();
                }
            }
            if (!channel.flush()) {
                channel.resumeWrites();
                return;
            }
            channel.suspendWrites();
            if (ending) {
                done = true;
                cancelKeepAlive();
                exchange.endExchange();
            }
        } catch (IOException e) {
            log.debug("A log reader went away: {}", e.getMessage());
            readerLeft();
        }
    }

    /** The lines queued now (as many as fit a batch), or the keep-alive comment when one is due; null if none. */
    private ByteBuffer nextBatch() {
        StringBuilder batch = new StringBuilder();
        String line;
        while (batch.length() < BATCH_CHARS && (line = subscription.poll()) != null) {
            batch.append(events ? "data: " : "").append(line).append(events ? "\n\n" : "\n");
        }
        if (batch.length() > 0) {
            keepAliveDue = false; // the lines keep the stream alive themselves
            return ByteBuffer.wrap(batch.toString().getBytes(StandardCharsets.UTF_8));
        }
        if (keepAliveDue) {
            keepAliveDue = false;
            return ByteBuffer.wrap(KEEP_ALIVE);
        }
        return null;
    }

    /**
     * The client sends nothing after its request, so anything on the connection now is its end: end of stream
     * when it closed, an error when it was reset. Bytes it sends anyway are read and dropped.
     */
    private void watchForTheReaderLeaving() {
        if (!(exchange.getConnection() instanceof AbstractServerConnection connection)) {
            return; // not HTTP/1.1 (the node serves nothing else); the next write finds a reader that left
        }
        StreamSourceChannel source = connection.getChannel().getSourceChannel();
        ByteBuffer discard = ByteBuffer.allocate(256);
        source.getReadSetter().set(readable -> {
            try {
                int read;
                do {
                    discard.clear();
                    read = readable.read(discard);
                } while (read > 0);
                if (read == -1) {
                    readerLeft();
                }
            } catch (IOException e) {
                readerLeft();
            }
        });
        source.resumeReads();
    }

    private void scheduleKeepAlive() {
        keepAlive = exchange.getIoThread().executeAfter(() -> {
            keepAliveDue = true;
            write();
            if (!done) {
                scheduleKeepAlive();
            }
        }, keepAliveEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelKeepAlive() {
        if (keepAlive != null) {
            keepAlive.remove();
        }
    }

    private void readerLeft() {
        stop();
        IoUtils.safeClose(exchange.getConnection());
    }

    private void stop() {
        done = true;
        cancelKeepAlive();
        subscription.close();
    }
}
