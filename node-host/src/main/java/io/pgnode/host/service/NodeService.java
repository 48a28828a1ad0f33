package io.pgnode.host.service;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.plugin.BackendPlugin;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.plugin.PluginBackend;
import io.pgnode.host.usage.UsageAccounting;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.RoutingRule;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * keepAlive clock, the log fan-out and the system sampler; its traffic answers go through the node's usage
 * ledger ({@link UsageAccounting}), which outlives every backend. It speaks in the node's own values and the
 * SPI's; the transports map the wire messages ({@code io.pgnode.host.wire}).
 *
 * <p>Threading: Start, Stop and the keepAlive stop are serialized (the write lock); every other backend call
 * holds the read lock, so calls run concurrently with each other but never against a backend that is being
 * started or closed.
 */
public final class NodeService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeService.class);
    private static final long DRAIN_TICK_MILLIS = 1000;

    private final BackendRegistry registry;
    private final Function<Set<String>, Map<String, String>> pluginSettings;
    private final NodeOptions options;
    private final SystemSampler sampler;
    private final HeapTrim heapTrim;
    private final UsageAccounting usage;
    private final LongSupplier nanoClock;
    private final LogHub logHub;
    private final UsageDrainer drainer;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock(true);
    private final ScheduledFuture<?> keepAliveCheck;
    private final ScheduledFuture<?> drainTick;
    private volatile Session session;

    /**
     * @param pluginSettings resolves a plugin's declared setting names to the values that are set
     * @param sampler the machine's figures; closed with this service
     * @param heapTrim gives memory back after big requests
     * @param usage the node's usage ledger and its file
     * @param nanoClock the keepAlive and drain clock ({@link System#nanoTime()} outside tests)
     * @param scheduler the node's timer thread(s), for the keepAlive check and the drains; owned by the caller
     */
    public NodeService(BackendRegistry registry, Function<Set<String>, Map<String, String>> pluginSettings,
            NodeOptions options, SystemSampler sampler, HeapTrim heapTrim, UsageAccounting usage,
            LongSupplier nanoClock, ScheduledExecutorService scheduler) {
        this.registry = requireNonNull(registry, "registry is null");
        this.pluginSettings = requireNonNull(pluginSettings, "pluginSettings is null");
        this.options = requireNonNull(options, "options is null");
        this.sampler = requireNonNull(sampler, "sampler is null");
        this.heapTrim = requireNonNull(heapTrim, "heapTrim is null");
        this.usage = requireNonNull(usage, "usage is null");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
        this.logHub = new LogHub(options.logBufferSize(), options.logBacklogLines());
        this.drainer = new UsageDrainer(options.drainInterval(), nanoClock);
        long period = options.keepAliveCheck().toMillis();
        this.keepAliveCheck = scheduler.scheduleWithFixedDelay(this::stopIfIdle, period, period, TimeUnit.MILLISECONDS);
        this.drainTick = scheduler.scheduleWithFixedDelay(this::drainInBackground, DRAIN_TICK_MILLIS, DRAIN_TICK_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Starts the requested backend. A Start asking for the core that runs (same type, config as JSON, excluded
     * inbounds) attaches to it: the users are synced live and the session is taken over, the core keeps running.
     * Any other Start replaces the running backend: the new config is checked first (a config the core rejects
     * changes nothing), the running one's usage is collected and it is suspended, and if the new one fails to
     * start the previous one is brought back. A request that cannot be served (unknown type, a config the plugin
     * rejects) changes nothing.
     */
    public NodeInfo start(StartRequest request) {
        BackendPlugin plugin = registry.lookup(request.backendType()).orElseThrow(() -> new NodeException(
                ErrorCode.UNKNOWN_BACKEND_TYPE, "No plugin on this node serves backend type "
                        + request.backendType() + "; installed: " + registry.describe() + "."));
        BackendIdentity identity = BackendIdentity.of(request);
        lifecycle.writeLock().lock();
        try {
            Session previous = session;
            if (previous != null && previous.runs(identity) && isRunning(previous)) {
                return attach(previous, request);
            }
            return replace(previous, plugin, identity, request);
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private NodeInfo attach(Session previous, StartRequest request) {
        long began = nanoClock.getAsLong();
        try {
            previous.backend().replaceUsers(request.users());
        } catch (NodeException e) {
            if (e.code() != ErrorCode.INVALID_USER) {
                throw e;
            }
            log.warn("Backend {} serves without some users: {}", previous.plugin().name(), e.getMessage());
        }
        Session attached = previous.attach(keepAliveNanos(request), nanoClock.getAsLong());
        session = attached;
        log.info("Backend {} kept: the Start asked for the config it runs; {} users synced live in {} ms, keep_alive {}s",
                previous.plugin().name(), request.users().size(), (nanoClock.getAsLong() - began) / 1_000_000,
                request.keepAliveSeconds());
        heapTrim.afterUsers(request.users().size());
        return info(attached);
    }

    private NodeInfo replace(Session previous, BackendPlugin plugin, BackendIdentity identity, StartRequest request) {
        AtomicBoolean logGate = new AtomicBoolean(true);
        Map<String, String> settings = pluginSettings.apply(plugin.settingNames());
        HostBackendContext context = new HostBackendContext(request.config(), request.users(),
                request.excludedInbounds(), settings, workDirectory(plugin), text -> {
                    if (logGate.get()) {
                        logHub.publish(text);
                    }
                }, usage.ledger());
        PluginBackend backend = plugin.create(context);
        try {
            backend.checkConfig();
        } catch (NodeException e) {
            logGate.set(false);
            backend.close();
            log.warn("Backend {} refused the new config; {}: {}", plugin.name(),
                    previous == null ? "nothing runs" : "the running backend keeps serving", e.getMessage());
            throw e;
        }
        boolean suspended = false;
        if (previous != null) {
            collect(previous, "before a Start replaces it");
            suspended = suspend(previous);
            if (!suspended) {
                stopCollected(previous, "replaced by a new Start");
            }
        }
        String coreVersion;
        try {
            backend.start();
            coreVersion = backend.coreVersion();
        } catch (NodeException e) {
            logGate.set(false);
            backend.close();
            log.warn("Backend {} failed to start: {}", plugin.name(), e.getMessage());
            throw suspended ? bringBack(previous, e) : e;
        }
        if (suspended) {
            stopCollected(previous, "replaced by a new Start");
        }
        context.releaseUsers();
        Session started = new Session(plugin, backend, coreVersion.isBlank() ? "unknown" : coreVersion,
                keepAliveNanos(request), logGate, identity, nanoClock.getAsLong());
        session = started;
        drainer.restart();
        log.info("Backend {} started: core {}, {} users, keep_alive {}s, settings {}", plugin.name(),
                started.coreVersion(), request.users().size(), request.keepAliveSeconds(), masked(plugin, settings));
        heapTrim.afterUsers(request.users().size());
        return info(started);
    }

    /** Suspends the running backend (its usage is collected); false when it cannot be suspended. */
    private boolean suspend(Session previous) {
        try {
            boolean suspended = previous.backend().suspend();
            if (suspended) {
                log.info("Backend {} suspended while the new backend starts", previous.plugin().name());
            }
            return suspended;
        } catch (NodeException e) {
            log.warn("Backend {} could not be suspended ({}); it is stopped instead", previous.plugin().name(),
                    e.getMessage());
            return false;
        }
    }

    /** The new backend failed after the previous one was suspended: the previous one serves again. */
    private NodeException bringBack(Session previous, NodeException failure) {
        try {
            previous.backend().resume();
        } catch (NodeException resumeFailed) {
            stopCollected(previous, "it could not be brought back after a failed Start");
            log.error("Backend {} could not be brought back: {}", previous.plugin().name(), resumeFailed.getMessage());
            return new NodeException(failure.code(), failure.getMessage() + " (Bringing the previous backend back "
                    + "failed too: " + resumeFailed.getMessage() + "; no backend runs.)", failure);
        }
        log.warn("Backend {} brought back with its users after the new backend failed to start",
                previous.plugin().name());
        return new NodeException(failure.code(), failure.getMessage()
                + " (The previous backend was brought back with its users and keeps serving.)", failure);
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

    /** A reader of the core's last lines and then of every new one; it ends when the backend stops. */
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

    /**
     * The running core's own runtime figures. Every failure says {@code failed to get sys stats} (and before
     * Start {@code core is not started yet}): the panel's health check re-Starts a node on any other error, also
     * while the node is bringing its core back itself.
     */
    public RuntimeStats backendStats() {
        try {
            return withBackend(PluginBackend::runtimeStats);
        } catch (NodeException e) {
            throw new NodeException(e.code(), "failed to get sys stats: " + e.getMessage(), e);
        }
    }

    /**
     * Traffic stats, handed to {@code sink} as they are read: what the core counts plus what the node's ledger
     * holds. 100,000 users are 200,000 stats, which the transports encode one at a time. With reset, what is
     * answered is taken out of both; if the answer does not reach the panel, {@link #giveBack} puts it back.
     */
    public void stats(StatQuery query, Consumer<Stat> sink) {
        withBackend(backend -> {
            usage.answer(backend::stats, query, sink);
            return null;
        });
        if (query.reset() && !query.scope().isSingle()) {
            drainer.collected(query.scope().owner());
        }
    }

    /**
     * Puts back what a reset answer of {@link #stats} took, because the answer did not reach the panel. Needs no
     * backend: the ledger outlives it.
     */
    public void giveBack(StatQuery query, Iterable<Stat> answered) {
        usage.giveBack(query, answered);
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

    /** The running backend's routing rules, in the order its core applies them. */
    public List<RoutingRule> routingRules() {
        return withBackend(PluginBackend::routingRules);
    }

    /**
     * Adds one routing rule (the JSON of one element of {@code routing.rules}) after the others, or with
     * {@code replaceAll} instead of all of them. A rule the backend cannot apply changes nothing.
     */
    public void addRoutingRule(String ruleJson, boolean replaceAll) {
        withBackend(backend -> {
            backend.addRoutingRule(ruleJson, replaceAll);
            return null;
        });
    }

    /** Removes the routing rule with this tag; a tag no rule has changes nothing. */
    public void removeRoutingRule(String ruleTag) {
        withBackend(backend -> {
            backend.removeRoutingRule(ruleTag);
            return null;
        });
    }

    /** A balancer's targets as the core chose them. */
    public BalancerInfo balancerInfo(String balancerTag) {
        return withBackend(backend -> backend.balancerInfo(balancerTag));
    }

    /** Makes the balancer use {@code target}; empty: the balancer chooses again. */
    public void overrideBalancerTarget(String balancerTag, String target) {
        withBackend(backend -> {
            backend.overrideBalancerTarget(balancerTag, target);
            return null;
        });
    }

    /** Where the core would route a connection like the one described. */
    public RouteResult testRoute(RouteTest test) {
        return withBackend(backend -> backend.testRoute(test));
    }

    /** Collects the backend's usage, stops it and the node's timers; the ledger is on disk afterwards. */
    @Override
    public void close() {
        keepAliveCheck.cancel(false);
        drainTick.cancel(false);
        lifecycle.writeLock().lock();
        try {
            Session current = session;
            if (current != null) {
                end(current, "the node is shutting down");
            }
        } finally {
            lifecycle.writeLock().unlock();
            usage.save();
            sampler.close();
        }
    }

    /** Stops (or, with KEEP_ALIVE_ACTION=keep, reports) a session nobody asked about for longer than its keepAlive. */
    void stopIfIdle() {
        Session current = session;
        if (current == null || !current.isIdleBeyondKeepAlive(nanoClock.getAsLong())) {
            return;
        }
        if (options.keepAliveAction() == KeepAliveAction.KEEP) {
            if (current.firstIdleReport()) {
                log.warn("No request for {} s (keep_alive); KEEP_ALIVE_ACTION=keep: backend {} keeps serving its last "
                        + "users until the panel is back", current.keepAliveSeconds(), current.plugin().name());
            }
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

    /** Runs on the node's timer: drains what no poll collected for an interval, and keeps the ledger's file current. */
    void drainInBackground() {
        try {
            lifecycle.readLock().lock();
            try {
                Session current = session;
                if (current != null && isRunning(current)) {
                    drainer.drainDue(owners -> {
                        long began = nanoClock.getAsLong();
                        // through the accounting, so that no answer reads the ledger before the drain fills it and
                        // the core after the drain emptied it
                        usage.drain(current.backend()::drainUsage, owners);
                        return nanoClock.getAsLong() - began;
                    });
                }
            } finally {
                lifecycle.readLock().unlock();
            }
        } catch (NodeException e) {
            log.warn("Could not collect the core's traffic counters: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("The background drain failed", e);
        } finally {
            usage.save();
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

    /** Collects the backend's usage (the ledger then holds it, on disk), then stops it. Caller holds the write lock. */
    private void end(Session ending, String reason) {
        collect(ending, "before it stops");
        stopCollected(ending, reason);
    }

    /** Stops a backend whose usage was collected. Caller holds the write lock. */
    private void stopCollected(Session ending, String reason) {
        session = null;
        logHub.endAll();
        ending.end();
        log.info("Backend {} stopped: {}", ending.plugin().name(), reason);
        heapTrim.afterStop();
    }

    /** Moves every counter of the backend's core into the ledger; a core that does not answer loses what it counted. */
    private void collect(Session from, String when) {
        try {
            usage.drain(from.backend()::drainUsage, UsageAccounting.ALL);
        } catch (NodeException e) {
            log.warn("Could not collect the core's traffic counters {}: {}; traffic since the last collection is lost",
                    when, e.getMessage());
        }
    }

    private long keepAliveNanos(StartRequest request) {
        return request.keepAliveSeconds() < 0 ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(request.keepAliveSeconds());
    }

    private NodeInfo info(Session current) {
        if (current == null) {
            return new NodeInfo(false, "", options.nodeVersion(), null);
        }
        return new NodeInfo(isRunning(current), current.coreVersion(), options.nodeVersion(), current.plugin().name());
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
        Path directory = options.dataDir().resolve("backends").resolve(plugin.name());
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
