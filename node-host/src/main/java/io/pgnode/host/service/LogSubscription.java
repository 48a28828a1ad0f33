package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One reader's view of the core's log: a bounded queue of the lines published since it subscribed. When the
 * reader falls behind by more than the buffer, the oldest lines are dropped; the publisher never waits. The
 * subscription ends when the backend stops (or the reader closes it); the lines already queued can still be
 * read after that.
 */
public final class LogSubscription implements AutoCloseable {

    private static final Runnable NOTHING = () -> {};

    private final int capacity;
    private final Consumer<LogSubscription> onClose;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private boolean ended;
    private long dropped;
    private volatile Runnable listener = NOTHING;

    LogSubscription(int capacity, Consumer<LogSubscription> onClose) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
        this.onClose = requireNonNull(onClose, "onClose is null");
    }

    /**
     * Runs {@code listener} after every new line and when the subscription ends, on the publishing thread;
     * for readers that do not block (gRPC). It must be quick and must not throw.
     */
    public void onChange(Runnable listener) {
        this.listener = requireNonNull(listener, "listener is null");
        listener.run(); // lines may have arrived before the listener was set
    }

    /** The next line, or null when none is queued. */
    public synchronized String poll() {
        return lines.pollFirst();
    }

    /**
     * The next line, waiting up to {@code maxWait} for one; null when none came in time or the subscription
     * is {@linkplain #isFinished() finished}.
     */
    public synchronized String take(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (lines.isEmpty() && !ended) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
        return lines.pollFirst();
    }

    /** Ended and every queued line read: the reader is done. */
    public synchronized boolean isFinished() {
        return ended && lines.isEmpty();
    }

    /** Lines this reader lost because it fell behind. */
    public synchronized long droppedLines() {
        return dropped;
    }

    /** Stops receiving lines; the reader is done once it drained what is queued. */
    @Override
    public void close() {
        end();
        onClose.accept(this);
    }

    void offer(String line) {
        synchronized (this) {
            if (ended) {
                return;
            }
            if (lines.size() == capacity) {
                lines.pollFirst();
                dropped++;
            }
            lines.addLast(line);
            notifyAll();
        }
        listener.run();
    }

    void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            notifyAll();
        }
        listener.run();
    }
}
