package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Gives memory back after a burst. A Start or a full sync of 100,000 users needs a few hundred MB of heap for
 * a moment (the request, its users, the backend's copy); the heap the JVM grew for it stays committed until a
 * full collection shrinks it, which a node that only answers small polls afterwards may not do for hours. So
 * after such a request, and after a backend stopped, the collections that shrink it are asked for, once the node
 * has been quiet for a moment (a burst of requests asks once).
 *
 * <p>Quiet, because the collections stop the whole process: with 100,000 users they took about 1 s, and a panel
 * that sends a sync or a Start right after the Start that caused them had that second added to its request.
 * They wait at most {@link #MAX_POSTPONED} delays for the quiet, then run anyway: a node busy for that long still
 * gets its memory back.
 */
public final class HeapTrim {

    /** A request with at least this many users is a burst. */
    static final int BURST_USERS = 10_000;

    /** Collections in a row that shrink the serial collector's heap all the way (see {@link #withSystemGc}). */
    private static final int SHRINK_STEPS = 4;

    /**
     * How long no request may have been served for the node to be quiet: the requests a panel sends one after the
     * other (a Stop and then a Start, a Start and then a sync) follow each other within milliseconds; its polls
     * come seconds apart.
     */
    static final Duration QUIET = Duration.ofMillis(250);

    /** How many times the collections wait one more delay for a quiet node (5 minutes with the node's 1 s). */
    static final int MAX_POSTPONED = 300;

    private final Runnable collect;
    private final Duration delay;
    private final ScheduledExecutorService scheduler;
    private final BooleanSupplier quiet;
    private final AtomicBoolean pending = new AtomicBoolean();

    /**
     * @param collect what gives the memory back (outside tests the collections of {@link #withSystemGc}, after
     *     which the heap is within the free ratios the launcher sets)
     * @param delay how long after the request to collect at the earliest, and how long to wait again while the
     *     node is not quiet
     * @param scheduler where the collection runs; owned by the caller
     * @param quiet whether the node serves no request now (the collections wait while it does)
     */
    HeapTrim(Runnable collect, Duration delay, ScheduledExecutorService scheduler, BooleanSupplier quiet) {
        this.collect = requireNonNull(collect, "collect is null");
        this.delay = requireNonNull(delay, "delay is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.quiet = requireNonNull(quiet, "quiet is null");
    }

    /**
     * With the serial collector (the launcher's), a collection shrinks the heap in steps: 0%, 10%, 40%, then all
     * of what exceeds the free ratios. So four collections in a row, a few hundred ms once after a big request;
     * the steps stay on for the collections a stats poll causes, which then do not shrink a heap the next poll
     * needs again.
     */
    public static HeapTrim withSystemGc(ScheduledExecutorService scheduler, RequestActivity requests) {
        return new HeapTrim(() -> {
            for (int step = 0; step < SHRINK_STEPS; step++) {
                System.gc();
            }
        }, Duration.ofSeconds(1), scheduler, () -> requests.isQuietFor(QUIET));
    }

    /** After a request that carried {@code users} users. */
    void afterUsers(int users) {
        if (users >= BURST_USERS) {
            soon();
        }
    }

    /** After a backend stopped: what it held is garbage now. */
    void afterStop() {
        soon();
    }

    private void soon() {
        if (pending.compareAndSet(false, true)) {
            attemptLater(0);
        }
    }

    private void attemptLater(int postponed) {
        scheduler.schedule(() -> {
            if (postponed < MAX_POSTPONED && !quiet.getAsBoolean()) {
                attemptLater(postponed + 1);
                return;
            }
            pending.set(false);
            collect.run();
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
