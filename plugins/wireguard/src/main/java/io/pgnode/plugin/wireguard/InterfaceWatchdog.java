package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the interface up and its counters read, on one scheduler thread: recreates the interface (with every peer)
 * when its wireguard-go exits or the interface vanished, retrying a failed recreation with a growing delay; reads
 * the counters every few seconds, so that a daemon that dies loses at most that much traffic.
 */
final class InterfaceWatchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InterfaceWatchdog.class);

    /** What the watchdog keeps; implemented by the backend. */
    interface Watched {
        /**
         * Recreates the interface unless {@code lost} is no longer the current one (someone else recreated or
         * removed it meanwhile), or the backend is suspended or closed.
         *
         * @param lost the interface that failed; null when none runs (a recreation failed before)
         * @throws BackendException when the new interface does not come up
         */
        void recreate(TunnelInterface lost, String reason);

        /**
         * Reads the counters into the account.
         *
         * @return the interface that failed to answer (it vanished), or null when all is well
         */
        TunnelInterface sample();
    }

    private final Watched watched;
    private final Duration sampleInterval;
    private final Duration maxRetryDelay;
    private final ScheduledExecutorService scheduler;

    // touched on the scheduler thread only
    private boolean recreationPending;
    private TunnelInterface lost;
    private String reason = "";
    private long nextAttemptNanos;
    private Duration retryDelay = Duration.ofSeconds(1);

    InterfaceWatchdog(Watched watched, Duration sampleInterval, Duration maxRetryDelay, String name) {
        this.watched = requireNonNull(watched, "watched is null");
        this.sampleInterval = requireNonNull(sampleInterval, "sampleInterval is null");
        this.maxRetryDelay = requireNonNull(maxRetryDelay, "maxRetryDelay is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "wireguard-watchdog-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        long sample = sampleInterval.toMillis();
        scheduler.scheduleWithFixedDelay(this::sample, sample, sample, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::attemptIfDue, 1, 1, TimeUnit.SECONDS);
    }

    /** The interface failed (its daemon exited, a {@code wg} call found it gone): recreate it now. */
    void interfaceLost(TunnelInterface tunnel, String why) {
        try {
            scheduler.execute(() -> {
                request(tunnel, why);
                attemptIfDue();
            });
        } catch (RejectedExecutionException closing) {
            log.debug("not recreating the interface ({}): the backend is closing", why);
        }
    }

    /** Only the first request counts until it is served. */
    private void request(TunnelInterface tunnel, String why) {
        if (!recreationPending) {
            recreationPending = true;
            lost = tunnel;
            reason = why;
            retryDelay = Duration.ofSeconds(1);
            nextAttemptNanos = System.nanoTime();
        }
    }

    private void attemptIfDue() {
        if (!recreationPending || System.nanoTime() - nextAttemptNanos < 0) {
            return;
        }
        try {
            watched.recreate(lost, reason);
            recreationPending = false;
        } catch (BackendException e) {
            log.error("could not recreate the WireGuard interface ({}); next attempt in {} s: {}", reason,
                    retryDelay.toSeconds(), e.getMessage());
            lost = null; // a failed recreation leaves no interface
            nextAttemptNanos = System.nanoTime() + retryDelay.toNanos();
            Duration doubled = retryDelay.multipliedBy(2);
            retryDelay = doubled.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : doubled;
        } catch (RuntimeException e) {
            log.error("recreating the WireGuard interface failed unexpectedly", e);
            nextAttemptNanos = System.nanoTime() + retryDelay.toNanos();
        }
    }

    private void sample() {
        if (recreationPending) {
            return;
        }
        try {
            TunnelInterface vanished = watched.sample();
            if (vanished != null) {
                request(vanished, "the interface " + vanished.name() + " vanished");
                attemptIfDue();
            }
        } catch (RuntimeException e) {
            if (!scheduler.isShutdown()) {
                log.warn("could not read the interface's counters: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
