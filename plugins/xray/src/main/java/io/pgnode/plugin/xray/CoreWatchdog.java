package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.api.SysStatsResponse;
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
 * Keeps the core alive and its counters safe, on one scheduler thread: probes the API (GetSysStats) and
 * restarts the core after several failed probes in a row, after it exits unexpectedly, or when its
 * uptime drops (the core restarted on its own and lost every live change); retries failed restarts with
 * a growing delay; drains the counters into the ledger periodically.
 */
final class CoreWatchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoreWatchdog.class);

    /** What the watchdog watches; implemented by the backend. */
    interface WatchedCore {
        /** The running core, or empty while it is down or being started. */
        Optional<CoreSession> session();

        /**
         * Restarts the core unless {@code seen} is no longer the current session (someone else restarted
         * it meanwhile). Drains first when the old core still answers.
         *
         * @throws BackendException when the new core does not come up
         */
        void restart(CoreSession seen, String reason);

        /** Moves the core's counters into the ledger. */
        void drain();
    }

    /**
     * How the watchdog behaves.
     *
     * @param probeInterval time between health probes
     * @param probeTimeout how long one probe may take
     * @param failedProbesBeforeRestart consecutive failed probes that trigger a restart
     * @param drainInterval time between drains
     * @param maxRetryDelay the longest wait between two failed restart attempts
     */
    record Timing(Duration probeInterval, Duration probeTimeout, int failedProbesBeforeRestart, Duration drainInterval,
            Duration maxRetryDelay) {
        Timing {
            requireNonNull(probeInterval, "probeInterval is null");
            requireNonNull(probeTimeout, "probeTimeout is null");
            requireNonNull(drainInterval, "drainInterval is null");
            requireNonNull(maxRetryDelay, "maxRetryDelay is null");
        }
    }

    private final WatchedCore core;
    private final Timing timing;
    private final ScheduledExecutorService scheduler;

    // touched on the scheduler thread only
    private CoreSession probedSession;
    private long lastUptime = -1;
    private int failedProbes;
    private boolean restartPending;
    private CoreSession pendingSession;
    private String pendingReason = "";
    private long nextAttemptNanos;
    private Duration retryDelay = Duration.ofSeconds(1);

    CoreWatchdog(WatchedCore core, Timing timing, String name) {
        this.core = requireNonNull(core, "core is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "xray-watchdog-" + name);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start() {
        long probe = timing.probeInterval().toMillis();
        long drain = timing.drainInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::tick, probe, probe, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::drain, drain, drain, TimeUnit.MILLISECONDS);
    }

    /** The core exited without being asked to: restart it now rather than at the next probe. */
    void coreExited(CoreSession session, int exitCode) {
        coreFailed(session, "the core exited unexpectedly with code " + exitCode);
    }

    /**
     * Something saw the core fail (it exited, its API stopped answering during a user sync, a restart for a
     * user change failed): restart it now.
     *
     * @param session the session that failed, or null when no core runs at all
     */
    void coreFailed(CoreSession session, String reason) {
        try {
            scheduler.execute(() -> {
                requestRestart(session, reason);
                tick();
            });
        } catch (RejectedExecutionException closing) {
            log.debug("not restarting the core ({}): the backend is closing", reason);
        }
    }

    /** Only the first request counts until it is served; a stale one (its session is gone) is a no-op then. */
    private void requestRestart(CoreSession seen, String reason) {
        if (!restartPending) {
            restartPending = true;
            pendingSession = seen;
            pendingReason = reason;
            retryDelay = Duration.ofSeconds(1);
            nextAttemptNanos = System.nanoTime();
        }
    }

    private void tick() {
        try {
            if (restartPending) {
                attemptRestart();
                return;
            }
            Optional<CoreSession> session = core.session();
            if (session.isEmpty()) {
                return;
            }
            probe(session.get());
        } catch (RuntimeException e) {
            log.warn("core watchdog check failed: {}", e.toString());
        }
    }

    private void probe(CoreSession session) {
        if (session != probedSession) {
            probedSession = session;
            lastUptime = -1;
            failedProbes = 0;
        }
        SysStatsResponse stats;
        try {
            stats = session.api().sysStats(timing.probeTimeout());
        } catch (BackendException e) {
            failedProbes++;
            log.warn("core health probe failed ({} of {}): {}", failedProbes, timing.failedProbesBeforeRestart(),
                    e.getMessage());
            if (failedProbes >= timing.failedProbesBeforeRestart()) {
                requestRestart(session, "the core's API failed " + failedProbes + " health probes in a row");
                attemptRestart();
            }
            return;
        }
        failedProbes = 0;
        long uptime = stats.getUptime();
        if (lastUptime >= 0 && uptime < lastUptime) {
            requestRestart(session, "the core's uptime dropped from " + lastUptime + " s to " + uptime
                    + " s: it restarted by itself and lost every live user change");
            attemptRestart();
            return;
        }
        lastUptime = uptime;
    }

    private void attemptRestart() {
        if (System.nanoTime() - nextAttemptNanos < 0) {
            return;
        }
        try {
            core.restart(pendingSession, pendingReason);
            restartPending = false;
        } catch (BackendException e) {
            log.error("core restart failed ({}); next attempt in {} s: {}", pendingReason, retryDelay.toSeconds(),
                    e.getMessage());
            pendingSession = null; // a failed restart leaves no core running
            nextAttemptNanos = System.nanoTime() + retryDelay.toNanos();
            Duration doubled = retryDelay.multipliedBy(2);
            retryDelay = doubled.compareTo(timing.maxRetryDelay()) > 0 ? timing.maxRetryDelay() : doubled;
        }
    }

    private void drain() {
        try {
            if (!restartPending && core.session().isPresent()) {
                core.drain();
            }
        } catch (RuntimeException e) {
            log.warn("could not drain the core's counters: {}", e.getMessage());
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
