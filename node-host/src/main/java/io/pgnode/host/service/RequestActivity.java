package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The requests the node is serving now, over either transport, and when the last one began or ended. Work that
 * stops the whole process for a moment ({@link HeapTrim}'s collections) waits for a quiet moment, so that it does
 * not stall a Start or sync the panel sends right after the one that caused it. Streams that stay open (the log
 * stream, the panel's user-sync stream) are not counted: they would keep the node busy forever.
 */
public final class RequestActivity {

    private final LongSupplier nanoClock;
    private int serving;
    private long lastChangeNanos;

    public RequestActivity(LongSupplier nanoClock) {
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.lastChangeNanos = nanoClock.getAsLong();
    }

    /**
     * A request began.
     *
     * @return what to run when it was answered or abandoned; running it more than once changes nothing
     */
    public Runnable begin() {
        synchronized (this) {
            serving++;
            lastChangeNanos = nanoClock.getAsLong();
        }
        AtomicBoolean ended = new AtomicBoolean();
        return () -> {
            if (ended.compareAndSet(false, true)) {
                end();
            }
        };
    }

    private synchronized void end() {
        serving--;
        lastChangeNanos = nanoClock.getAsLong();
    }

    /** Whether no request is being served and none began or ended for {@code quiet}. */
    public synchronized boolean isQuietFor(Duration quiet) {
        return serving == 0 && nanoClock.getAsLong() - lastChangeNanos >= quiet.toNanos();
    }

    /** How many requests are being served now. */
    public synchronized int serving() {
        return serving;
    }
}
