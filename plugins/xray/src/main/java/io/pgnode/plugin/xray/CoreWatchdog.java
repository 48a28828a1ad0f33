package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the core alive: restarts it, on a thread of its own, when it exited unexpectedly, when its
 * {@link CoreHealthProbe} found it hung or restarted by itself, or when a user sync found it unreachable; retries
 * a failed restart after 1, 2, 4 … s up to a limit. While a restart runs, it says so, so that panel calls can
 * fail at once with that sentence instead of waiting for the restart to finish.
 */
final class CoreWatchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoreWatchdog.class);

    /** What the watchdog watches; implemented by the backend. */
    interface WatchedCore {
        /** The running core, or empty while it is down or being started. */
        Optional<CoreSession> session();

        /**
         * Restarts the core unless {@code seen} is no longer the current session (someone else restarted it
         * meanwhile).
         *
         * @param answering whether the old core may still answer, so that its counters are drained first
         * @throws BackendException when the new core does not come up
         */
        void restart(CoreSession seen, String reason, boolean answering);
    }

    /**
     * How the watchdog behaves.
     *
     * @param probeInterval time between health probes
     * @param probeTimeout how long one probe may take
     * @param failedProbesBeforeRestart consecutive failed probes that trigger a restart
     * @param maxRetryDelay the longest wait between two failed restart attempts
     */
    record Timing(Duration probeInterval, Duration probeTimeout, int failedProbesBeforeRestart, Duration maxRetryDelay) {
        Timing {
            requireNonNull(probeInterval, "probeInterval is null");
            requireNonNull(probeTimeout, "probeTimeout is null");
            requireNonNull(maxRetryDelay, "maxRetryDelay is null");
        }

        CoreHealthProbe.Timing probe() {
            return new CoreHealthProbe.Timing(probeInterval, probeTimeout, failedProbesBeforeRestart);
        }
    }

    private final WatchedCore core;
    private final Timing timing;
    private final CoreHealthProbe probe;
    private final ScheduledExecutorService restarter;
    /** Why the core is being restarted right now, or null. */
    private volatile String restarting;

    // the restart thread's own
    private boolean pending;
    private CoreSession pendingSession;
    private String pendingReason = "";
    private boolean pendingAnswering;
    private Duration retryDelay = Duration.ofSeconds(1);

    CoreWatchdog(WatchedCore core, Timing timing, String name) {
        this.core = requireNonNull(core, "core is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.probe = new CoreHealthProbe(core::session, timing.probe(), this::coreFailed, name);
        this.restarter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "xray-restart-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        probe.start();
    }

    /** The core exited without being asked to: restart it now. */
    void coreExited(CoreSession session, int exitCode) {
        coreFailed(session, "the core exited unexpectedly with code " + exitCode, false);
    }

    /**
     * Something saw the core fail: restart it now, on the restart thread.
     *
     * @param session the session that failed, or null when no core runs at all
     * @param answering whether it may still answer (then it is drained before it is stopped)
     */
    void coreFailed(CoreSession session, String reason, boolean answering) {
        try {
            restarter.execute(() -> {
                if (!pending) {
                    pending = true;
                    pendingSession = session;
                    pendingReason = reason;
                    pendingAnswering = answering;
                    retryDelay = Duration.ofSeconds(1);
                }
                attemptRestart();
            });
        } catch (RejectedExecutionException closing) {
            log.debug("not restarting the core ({}): the backend is closing", reason);
        }
    }

    /** Empty while the core answers its health probes; else why a panel call should not wait on it. */
    Optional<String> trouble(CoreSession session) {
        return probe.trouble(session);
    }

    /** Why the core is being restarted right now, if it is. */
    Optional<String> restarting() {
        return Optional.ofNullable(restarting);
    }

    private void attemptRestart() {
        if (!pending) {
            return;
        }
        restarting = pendingReason;
        try {
            core.restart(pendingSession, pendingReason, pendingAnswering);
            pending = false;
        } catch (RuntimeException e) {
            log.error("core restart failed ({}); next attempt in {} s: {}", pendingReason, retryDelay.toSeconds(),
                    e.getMessage());
            pendingSession = null; // a failed restart leaves no core running
            pendingAnswering = false;
            try {
                restarter.schedule(this::attemptRestart, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                log.debug("not retrying the restart: the backend is closing");
            }
            Duration doubled = retryDelay.multipliedBy(2);
            retryDelay = doubled.compareTo(timing.maxRetryDelay()) > 0 ? timing.maxRetryDelay() : doubled;
        } finally {
            restarting = null;
        }
    }

    @Override
    public void close() {
        probe.close();
        restarter.shutdownNow();
        try {
            restarter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
