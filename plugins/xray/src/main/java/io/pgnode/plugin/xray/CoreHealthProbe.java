package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.spi.BackendException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the running core's API (GetSysStats) on a thread of its own: one probe per interval, each bounded by its
 * timeout, whatever else the backend does meanwhile (a sync, a restart, a drain), so that failed probes are
 * counted as they happen and a core that hangs (stopped, deadlocked) is noticed within
 * {@code failuresBeforeRestart} intervals of its first failed probe. Tells its listener when the core failed that
 * many probes in a row, or when its uptime dropped (it restarted by itself and lost every live change); answers
 * whether the current core is known not to answer, so that panel calls fail at once instead of waiting on it.
 */
final class CoreHealthProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoreHealthProbe.class);

    /** Whom the probe tells. Called on the probe's thread; must not block it for long. */
    interface Listener {
        /**
         * The core must be restarted.
         *
         * @param answering whether it still answers (its uptime dropped), so that its counters can be drained first
         */
        void unhealthy(CoreSession session, String reason, boolean answering);
    }

    /**
     * @param interval time between the starts of two probes
     * @param timeout how long one probe may wait for the core's answer
     * @param failuresBeforeRestart failed probes in a row that make the core unhealthy
     */
    record Timing(Duration interval, Duration timeout, int failuresBeforeRestart) {
        Timing {
            requireNonNull(interval, "interval is null");
            requireNonNull(timeout, "timeout is null");
            if (failuresBeforeRestart < 1) {
                throw new IllegalArgumentException("failuresBeforeRestart must be at least 1");
            }
        }
    }

    /** What the last probes of one core said: written by the probe thread, read by every caller. */
    private record Verdict(CoreSession session, int failures, long firstFailureNanos) {}

    private static final Verdict NONE = new Verdict(null, 0, 0);

    private final Supplier<Optional<CoreSession>> sessions;
    private final Timing timing;
    private final Listener listener;
    private final ScheduledExecutorService thread;
    private volatile Verdict verdict = NONE;

    // the probe thread's own
    private CoreSession uptimeOf;
    private long lastUptime;

    CoreHealthProbe(Supplier<Optional<CoreSession>> sessions, Timing timing, Listener listener, String name) {
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.timing = requireNonNull(timing, "timing is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "xray-probe-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long interval = timing.interval().toMillis();
        thread.scheduleAtFixedRate(this::probe, interval, interval, TimeUnit.MILLISECONDS);
    }

    /**
     * Empty while the core answers its probes; otherwise a sentence saying since when it has not, for panel calls
     * that would otherwise wait on a hung core.
     */
    Optional<String> trouble(CoreSession session) {
        Verdict v = verdict;
        if (v.session() != session || v.failures() == 0) {
            return Optional.empty();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - v.firstFailureNanos())
                + timing.timeout().toSeconds();
        return Optional.of("the core has not answered its API for " + seconds + " s (" + v.failures()
                + (v.failures() == 1 ? " health probe" : " health probes") + " failed in a row; the node restarts it after "
                + timing.failuresBeforeRestart() + ")");
    }

    private void probe() {
        try {
            Optional<CoreSession> current = sessions.get();
            if (current.isPresent()) {
                probe(current.get());
            }
        } catch (RuntimeException e) {
            log.warn("core health probe failed unexpectedly: {}", e.toString());
        }
    }

    private void probe(CoreSession session) {
        Verdict before = verdict.session() == session ? verdict : new Verdict(session, 0, 0);
        if (before.failures() >= timing.failuresBeforeRestart()) {
            return; // condemned: its restart is on the way
        }
        SysStatsResponse stats;
        try {
            stats = session.api().sysStats(timing.timeout());
        } catch (BackendException e) {
            if (!session.process().isAlive()) {
                // the exit handler restarts it; this covers a core that exited before the handler was in place
                listener.unhealthy(session, "the core exited unexpectedly with code " + session.process().exitCode(),
                        false);
                return;
            }
            int failures = before.failures() + 1;
            verdict = new Verdict(session, failures, before.failures() == 0 ? System.nanoTime() : before.firstFailureNanos());
            log.warn("core health probe failed ({} of {}): {}", failures, timing.failuresBeforeRestart(), e.getMessage());
            if (failures >= timing.failuresBeforeRestart()) {
                listener.unhealthy(session, "the core's API failed " + failures + " health probes in a row", false);
            }
            return;
        }
        if (before.failures() > 0) {
            log.info("the core answers its health probe again after {} failed", before.failures());
        }
        verdict = new Verdict(session, 0, 0);
        long uptime = stats.getUptime();
        if (uptimeOf == session && uptime < lastUptime) {
            uptimeOf = null;
            listener.unhealthy(session, "the core's uptime dropped from " + lastUptime + " s to " + uptime
                    + " s: it restarted by itself and lost every live user change", true);
            return;
        }
        uptimeOf = session;
        lastUptime = uptime;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
