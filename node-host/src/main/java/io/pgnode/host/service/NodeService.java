package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.plugin.BackendPlugin;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.plugin.PluginBackend;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does, for both transports: each REST route and each RPC is one call here, so the two can
 * never disagree. It owns the node's state: the running backend (at most one), who started it and its
 * keepAlive clock, the log fan-out and the system sampler. It speaks in the node's own values and the SPI's;
 * the transports map the wire messages ({@code io.pgnode.host.wire}).
 *
 * <p>Threading: Start, Stop and the keepAlive stop are serialized (the write lock); every other backend call
 * holds the read lock, so calls run concurrently with each other but never against a backend that is being
 * started or closed.
 */
public final class NodeService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeService.class);

    private final BackendRegistry registry;
    private final Function<Set<String>, Map<String, String>> pluginSettings;
    private final Path dataDir;
    private final String nodeVersion;
    private final SystemSampler sampler;
    private final LongSupplier nanoClock;
    private final LogHub logHub;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock(true);
    private final HeapTrim heapTrim;
    private final ScheduledFuture<?> keepAliveCheck;
    private volatile Session session;

    /**
     * @param pluginSettings resolves a plugin's declared setting names to the values that are set
     * @param dataDir backends get their work directories under {@code <dataDir>/backends/}
     * @param logBufferSize lines each log reader may fall behind
     * @param sampler the machine's figures; closed with this service
     * @param heapTrim gives memory back after big requests
     * @param nanoClock the keepAlive clock ({@link System#nanoTime()} outside tests)
     * @param scheduler the node's timer thread(s), for the keepAlive check; owned by the caller
     * @param keepAliveCheck how often idle sessions are looked for
     */
    public NodeService(
            BackendRegistry registry,
            Function<Set<String>, Map<String, String>> pluginSettings,
            Path dataDir,
            String nodeVersion,
            int logBufferSize,
            SystemSampler sampler,
            HeapTrim heapTrim,
            LongSupplier nanoClock,
            ScheduledExecutorService scheduler,
            Duration keepAliveCheck) {
        this.registry = requireNonNull(registry, "registry is null");
        this.pluginSettings = requireNonNull(pluginSettings, "pluginSettings is null");
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.nodeVersion = requireNonNull(nodeVersion, "nodeVersion is null");
        this.sampler = requireNonNull(sampler, "sampler is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.logHub = new LogHub(logBufferSize);
        this.heapTrim = requireNonNull(heapTrim, "heapTrim is null");
        long period = keepAliveCheck.toMillis();
        this.keepAliveCheck = scheduler.scheduleWithFixedDelay(this::stopIfIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the requested backend, replacing the running one (takeover). A request that cannot be served
     * (unknown type, a user without email, a config the plugin rejects) changes nothing; a backend that
     * fails to start leaves the node stopped.
     */
    public NodeInfo start(StartRequest request) {
        BackendPlugin plugin = registry.lookup(request.backendType()).orElseThrow(() -> new NodeException(
                ErrorCode.UNKNOWN_BACKEND_TYPE, "No plugin on this node serves backend type "
                        + request.backendType() + "; installed: " + registry.describe() + "."));
        List<User> users = request.users();
        lifecycle.writeLock().lock();
        try {
            AtomicBoolean logGate = new AtomicBoolean(true);
            Map<String, String> settings = pluginSettings.apply(plugin.settingNames());
            HostBackendContext context = new HostBackendContext(
                    request.config(), users, request.excludedInbounds(), settings,
                    workDirectory(plugin), text -> {
                        if (logGate.get()) {
                            logHub.publish(text);
                        }
                    });
            PluginBackend backend = plugin.create(context);
            Session previous = session;
            if (previous != null) {
                end(previous, "replaced by a new Start");
            }
            String coreVersion;
            try {
                backend.start();
                coreVersion = backend.coreVersion();
            } catch (NodeException e) {
                logGate.set(false);
                backend.close();
                log.warn("Backend {} failed to start: {}", plugin.name(), e.getMessage());
                throw e;
            }
            context.releaseUsers();
            long keepAlive = request.keepAliveSeconds() < 0 ? Long.MAX_VALUE
                    : TimeUnit.SECONDS.toNanos(request.keepAliveSeconds());
            Session started = new Session(plugin, backend, coreVersion.isBlank() ? "unknown" : coreVersion,
                    keepAlive, logGate, nanoClock.getAsLong());
            session = started;
            log.info("Backend {} started: core {}, {} users, keep_alive {}s, settings {}", plugin.name(),
                    started.coreVersion(), users.size(), request.keepAliveSeconds(), masked(plugin, settings));
            heapTrim.afterUsers(users.size());
            return info(started);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Stops the running backend; its log streams end. */
    public void stop() {
        lifecycle.writeLock().lock();
        try {
            Session current = session;
            if (current == null) {
                throw NodeException.notStarted();
            }
            end(current, "stopped by the panel");
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Whether a backend runs, and which. Never needs a started backend. */
    public NodeInfo info() {
        return info(session);
    }

    /**
     * Fails with {@code BACKEND_NOT_STARTED} when no backend runs: the transports ask before they read a backend
     * route's body, so that a node without a backend answers 503 whatever the request carries. (Each backend call
     * checks again.)
     */
    public void requireStarted() {
        if (session == null) {
            throw NodeException.notStarted();
        }
    }

    /** Keeps the keepAlive clock of the running session going: called after every authenticated request. */
    public void recordActivity() {
        Session current = session;
        if (current != null) {
            current.recordActivity(nanoClock.getAsLong());
        }
    }

    /** A reader of the core's log lines from now on; it ends when the backend stops. */
    public LogSubscription subscribeLogs() {
        return withBackend(backend -> logHub.subscribe());
    }

    /** How many log readers are attached now. */
    public int logReaderCount() {
        return logHub.readerCount();
    }

    /** The machine's figures of the last sampling interval. */
    public SystemSnapshot systemStats() {
        return withBackend(backend -> sampler.latest());
    }

    /** The running core's own runtime figures. */
    public RuntimeStats backendStats() {
        return withBackend(PluginBackend::runtimeStats);
    }

    /**
     * Traffic stats, handed to {@code sink} as the backend reads them: 100,000 users are 200,000 stats, which
     * the transports encode one at a time.
     */
    public void stats(StatQuery query, Consumer<Stat> sink) {
        withBackend(backend -> {
            backend.stats(query, sink);
            return null;
        });
    }

    /** The measured latency of every outbound, or of the one named (empty: all). */
    public List<OutboundLatency> outboundLatencies(String outboundName) {
        return withBackend(backend -> backend.outboundLatencies(outboundName));
    }

    /** How many source IPs the user is online from. */
    public long onlineCount(String email) {
        return withBackend(backend -> backend.onlineCount(requireEmail(email)));
    }

    /** The user's online source IPs with when each was last seen (Unix seconds). */
    public Map<String, Long> onlineIps(String email) {
        return withBackend(backend -> backend.onlineIps(requireEmail(email)));
    }

    /** Adds, changes or (no inbounds) removes one user. */
    public void syncUser(User user) {
        withBackend(backend -> {
            backend.syncUser(user);
            return null;
        });
    }

    /** Makes the given users the whole user set. */
    public void syncUsers(List<User> users) {
        withBackend(backend -> {
            backend.replaceUsers(users);
            return null;
        });
        heapTrim.afterUsers(users.size());
    }

    /** Stops the backend and the keepAlive check. */
    @Override
    public void close() {
        keepAliveCheck.cancel(false);
        lifecycle.writeLock().lock();
        try {
            Session current = session;
            if (current != null) {
                end(current, "the node is shutting down");
            }
        } finally {
            lifecycle.writeLock().unlock();
            sampler.close();
        }
    }

    /** Stops a session nobody asked about for longer than its keep_alive. Runs on the keepAlive timer. */
    void stopIfIdle() {
        Session current = session;
        if (current == null || !current.isIdleBeyondKeepAlive(nanoClock.getAsLong())) {
            return;
        }
        lifecycle.writeLock().lock();
        try {
            // the session may have been replaced or touched while this thread waited for the lock
            if (session == current && current.isIdleBeyondKeepAlive(nanoClock.getAsLong())) {
                end(current, "no request for " + current.keepAliveSeconds() + " s (keep_alive)");
            }
        } catch (RuntimeException e) {
            log.error("Stopping an idle backend failed", e);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private <T> T withBackend(Function<PluginBackend, T> call) {
        lifecycle.readLock().lock();
        try {
            Session current = session;
            if (current == null) {
                throw NodeException.notStarted();
            }
            return call.apply(current.backend());
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void end(Session ending, String reason) {
        session = null;
        logHub.endAll();
        ending.end();
        log.info("Backend {} stopped: {}", ending.plugin().name(), reason);
        heapTrim.afterStop();
    }

    private NodeInfo info(Session current) {
        if (current == null) {
            return new NodeInfo(false, "", nodeVersion, null);
        }
        return new NodeInfo(isRunning(current), current.coreVersion(), nodeVersion, current.plugin().name());
    }

    // A core that died and was not brought back shows as not started, so the panel sends Start again.
    private static boolean isRunning(Session current) {
        try {
            return current.backend().isRunning();
        } catch (NodeException e) {
            return false;
        }
    }

    private Path workDirectory(BackendPlugin plugin) {
        Path directory = dataDir.resolve("backends").resolve(plugin.name());
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new NodeException(ErrorCode.INTERNAL,
                    "Cannot create the backend's work directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String requireEmail(String email) {
        if (email.isBlank()) {
            throw new NodeException(ErrorCode.MISSING_EMAIL, "Online stats need the user's email in name.");
        }
        return email;
    }

    private static Map<String, String> masked(BackendPlugin plugin, Map<String, String> settings) {
        Map<String, String> shown = new TreeMap<>(settings);
        plugin.secretSettingNames().forEach(name -> shown.computeIfPresent(name, (k, v) -> "***"));
        return shown;
    }
}
