package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.plugin.BackendPlugin;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.plugin.PluginBackend;
import io.pgnode.proto.BackendStatsResponse;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.OnlineStatResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatsOnlineIpListResponse;
import io.pgnode.proto.SystemStatsResponse;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node does, for both transports: each REST route and each RPC is one call here, so the two can
 * never disagree. It owns the node's state: the running backend (at most one), who started it and its
 * keepAlive clock, the log fan-out and the system sampler.
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
    private final ScheduledExecutorService keepAliveTimer;
    private final HeapTrim heapTrim;
    private volatile Session session;

    /**
     * @param pluginSettings resolves a plugin's declared setting names to the values that are set
     * @param dataDir backends get their work directories under {@code <dataDir>/backends/}
     * @param logBufferSize lines each log reader may fall behind
     * @param sampler the machine's figures; closed with this service
     * @param nanoClock the keepAlive clock ({@link System#nanoTime()} outside tests)
     * @param keepAliveCheck how often idle sessions are looked for
     */
    public NodeService(
            BackendRegistry registry,
            Function<Set<String>, Map<String, String>> pluginSettings,
            Path dataDir,
            String nodeVersion,
            int logBufferSize,
            SystemSampler sampler,
            LongSupplier nanoClock,
            Duration keepAliveCheck) {
        this.registry = requireNonNull(registry, "registry is null");
        this.pluginSettings = requireNonNull(pluginSettings, "pluginSettings is null");
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.nodeVersion = requireNonNull(nodeVersion, "nodeVersion is null");
        this.sampler = requireNonNull(sampler, "sampler is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.logHub = new LogHub(logBufferSize);
        this.heapTrim = HeapTrim.withSystemGc();
        this.keepAliveTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "keep-alive");
            thread.setDaemon(true);
            return thread;
        });
        long period = keepAliveCheck.toMillis();
        keepAliveTimer.scheduleWithFixedDelay(this::stopIfIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the requested backend, replacing the running one (takeover). A request that cannot be served
     * (unknown type, a user without email, a config the plugin rejects) changes nothing; a backend that
     * fails to start leaves the node stopped.
     */
    public BaseInfoResponse start(io.pgnode.proto.Backend request) {
        BackendPlugin plugin = registry.lookup(request.getTypeValue()).orElseThrow(() -> new NodeException(
                ErrorCode.UNKNOWN_BACKEND_TYPE, "No plugin on this node serves backend type "
                        + request.getTypeValue() + "; installed: " + registry.describe() + "."));
        List<User> users = ProtoMapping.users(request.getUsersList());
        lifecycle.writeLock().lock();
        try {
            AtomicBoolean logGate = new AtomicBoolean(true);
            Map<String, String> settings = pluginSettings.apply(plugin.settingNames());
            HostBackendContext context = new HostBackendContext(
                    request.getConfig(), users, Set.copyOf(request.getExcludeInboundsList()), settings,
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
            long keepAlive = request.getKeepAlive() < 0 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(request.getKeepAlive());
            Session started = new Session(plugin, backend, coreVersion.isBlank() ? "unknown" : coreVersion,
                    keepAlive, logGate, nanoClock.getAsLong());
            session = started;
            log.info("Backend {} started: core {}, {} users, keep_alive {}s, settings {}", plugin.name(),
                    started.coreVersion(), users.size(), request.getKeepAlive(), masked(plugin, settings));
            heapTrim.afterUsers(users.size());
            return baseInfo(started);
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
    public BaseInfoResponse baseInfo() {
        return baseInfo(session);
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

    public SystemStatsResponse systemStats() {
        return withBackend(backend -> ProtoMapping.systemStats(sampler.latest()));
    }

    public BackendStatsResponse backendStats() {
        return withBackend(backend -> ProtoMapping.backendStats(backend.runtimeStats()));
    }

    /**
     * Traffic stats, as a StatResponse encoded while the backend hands them over: 100,000 users are 200,000
     * stats (see {@link EncodedStats}).
     */
    public EncodedStats stats(StatRequest request) {
        return withBackend(backend -> {
            StatQuery query = ProtoMapping.statQuery(request);
            EncodedStats.Writer answer = new EncodedStats.Writer();
            backend.stats(query, answer.sink());
            return answer.finish();
        });
    }

    public LatencyResponse outboundsLatency(LatencyRequest request) {
        return withBackend(backend -> ProtoMapping.latencyResponse(backend.outboundLatencies(request.getName())));
    }

    public OnlineStatResponse userOnlineStats(StatRequest request) {
        return withBackend(backend -> OnlineStatResponse.newBuilder()
                .setName(request.getName())
                .setValue(backend.onlineCount(email(request)))
                .build());
    }

    public StatsOnlineIpListResponse userOnlineIps(StatRequest request) {
        return withBackend(backend -> StatsOnlineIpListResponse.newBuilder()
                .setName(request.getName())
                .putAllIps(new TreeMap<>(backend.onlineIps(email(request))))
                .build());
    }

    /** Adds, changes or (no inbounds) removes one user. */
    public void syncUser(io.pgnode.proto.User user) {
        withBackend(backend -> {
            backend.syncUser(ProtoMapping.user(user));
            return null;
        });
    }

    /** Makes the given users the whole user set. */
    public void syncUsers(List<io.pgnode.proto.User> users) {
        withBackend(backend -> {
            backend.replaceUsers(ProtoMapping.users(users));
            return null;
        });
        heapTrim.afterUsers(users.size());
    }

    /** Stops the backend and the node's own threads. */
    @Override
    public void close() {
        keepAliveTimer.shutdownNow();
        lifecycle.writeLock().lock();
        try {
            Session current = session;
            if (current != null) {
                end(current, "the node is shutting down");
            }
        } finally {
            lifecycle.writeLock().unlock();
            sampler.close();
            heapTrim.close();
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

    private BaseInfoResponse baseInfo(Session current) {
        BaseInfoResponse.Builder info = BaseInfoResponse.newBuilder().setNodeVersion(nodeVersion);
        if (current != null) {
            info.setStarted(isRunning(current))
                    .setCoreVersion(current.coreVersion())
                    .setCoreType(current.plugin().name());
        }
        return info.build();
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

    private static String email(StatRequest request) {
        if (request.getName().isBlank()) {
            throw new NodeException(ErrorCode.MISSING_EMAIL, "Online stats need the user's email in name.");
        }
        return request.getName();
    }

    private static Map<String, String> masked(BackendPlugin plugin, Map<String, String> settings) {
        Map<String, String> shown = new TreeMap<>(settings);
        plugin.secretSettingNames().forEach(name -> shown.computeIfPresent(name, (k, v) -> "***"));
        return shown;
    }
}
