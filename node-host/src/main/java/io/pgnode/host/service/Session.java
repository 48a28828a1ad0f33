package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.plugin.BackendPlugin;
import io.pgnode.host.plugin.PluginBackend;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One started backend and what belongs to it: who it is and what it was started with, its keepAlive clock,
 * and the gate its log lines pass (closed when the session ends, so a stopping core's last lines never reach
 * the next session's readers). A Start that attaches to the running core makes a new session around the same
 * backend and gate.
 */
final class Session {

    private final BackendPlugin plugin;
    private final PluginBackend backend;
    private final String coreVersion;
    private final long keepAliveNanos;
    private final AtomicBoolean logGate;
    private final BackendIdentity identity;
    private final AtomicLong lastActivityNanos;
    private volatile boolean idleReported;

    /**
     * @param keepAliveNanos stop after this long without an authenticated request; 0 = never
     * @param logGate open while the session's lines may be published
     */
    Session(BackendPlugin plugin, PluginBackend backend, String coreVersion, long keepAliveNanos,
            AtomicBoolean logGate, BackendIdentity identity, long nowNanos) {
        this.plugin = requireNonNull(plugin, "plugin is null");
        this.backend = requireNonNull(backend, "backend is null");
        this.coreVersion = requireNonNull(coreVersion, "coreVersion is null");
        this.keepAliveNanos = keepAliveNanos;
        this.logGate = requireNonNull(logGate, "logGate is null");
        this.identity = requireNonNull(identity, "identity is null");
        this.lastActivityNanos = new AtomicLong(nowNanos);
    }

    /** The same backend and core, taken over by another Start with its own keepAlive. */
    Session attach(long keepAliveNanos, long nowNanos) {
        return new Session(plugin, backend, coreVersion, keepAliveNanos, logGate, identity, nowNanos);
    }

    /** Whether a Start with this identity asks for the core this session runs. */
    boolean runs(BackendIdentity requested) {
        return identity.sameAs(requested);
    }

    BackendPlugin plugin() {
        return plugin;
    }

    PluginBackend backend() {
        return backend;
    }

    String coreVersion() {
        return coreVersion;
    }

    void recordActivity(long nowNanos) {
        lastActivityNanos.accumulateAndGet(nowNanos, Math::max);
        idleReported = false;
    }

    /**
     * For KEEP_ALIVE_ACTION=keep: true the first time the session is found idle beyond its keepAlive since the
     * last request, so that it is logged once per silence.
     */
    boolean firstIdleReport() {
        if (idleReported) {
            return false;
        }
        idleReported = true;
        return true;
    }

    /** Whether keepAlive is on and no request came for that long. */
    boolean isIdleBeyondKeepAlive(long nowNanos) {
        return keepAliveNanos > 0 && nowNanos - lastActivityNanos.get() >= keepAliveNanos;
    }

    long keepAliveSeconds() {
        return keepAliveNanos / 1_000_000_000L;
    }

    /** Stops the session's log lines and the backend. */
    void end() {
        logGate.set(false);
        backend.close();
    }
}
