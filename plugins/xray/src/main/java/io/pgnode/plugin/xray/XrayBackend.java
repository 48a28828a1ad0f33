package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.grpc.Channel;
import io.pgnode.plugin.xray.api.SysStatsResponse;
import io.pgnode.plugin.xray.latency.LatencySettings;
import io.pgnode.plugin.xray.latency.OutboundLatencies;
import io.pgnode.plugin.xray.latency.ProbeRoutes;
import io.pgnode.plugin.xray.routing.RoutingConfig;
import io.pgnode.plugin.xray.routing.RoutingControl;
import io.pgnode.plugin.xray.routing.RuleDefinition;
import io.pgnode.plugin.xray.routing.RuleTable;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.Routing;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Xray or v2fly core for the panel, as the coordinator of small roles: {@link ConfigCheck} tests a config
 * with the core's own test mode before anything is stopped for it; {@link CoreLauncher} starts cores, tied to the
 * node's life and recorded for the next start; the users live in a {@link UserTable} and {@link UserSync} applies
 * only their difference; {@link LiveStats} answers stats from the core's counters and {@link UsageDrain} hands
 * them to the node's usage ledger; {@link CoreWatchdog} (with its {@link CoreHealthProbe}) restarts a core that
 * exits or hangs; {@link StaleCore} ends a core an earlier run of the node left behind. Routing ({@link RoutingControl},
 * over the rules of a {@link RuleTable} that every rendering reads) and outbound latency ({@link OutboundLatencies})
 * are roles of their own.
 *
 * <p>Threading: start, suspend, resume, close, restarts and user syncs are serialized by one lock; stats, drains
 * and online queries run concurrently and never wait for it. No call waits on the core longer than its
 * deadline ({@link CoreApiClient}), and calls fail at once, with a sentence, while the core is known not to answer
 * or is being restarted.
 */
public final class XrayBackend implements Backend {

    private static final Logger log = LoggerFactory.getLogger(XrayBackend.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * Knobs that are not operator settings; tests shorten them.
     *
     * @param watchdog probe and retry timing
     * @param stopGrace how long a core may take to exit after TERM before it is killed
     * @param startTimeout how long a core with no users may take until its API answers
     * @param startTimePerMembership added to {@code startTimeout} per user-in-inbound (100k users load slowly)
     */
    record Tuning(CoreWatchdog.Timing watchdog, Duration stopGrace, Duration startTimeout,
            Duration startTimePerMembership) {

        /**
         * A probe every 5 s that fails after 2 s without an answer; 3 failed in a row restart the core, so a hung
         * core is noticed 10-17 s after it stopped answering.
         */
        static final Tuning DEFAULTS = new Tuning(
                new CoreWatchdog.Timing(Duration.ofSeconds(5), Duration.ofSeconds(2), 3, Duration.ofSeconds(30)),
                Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(1));

        Tuning {
            requireNonNull(watchdog, "watchdog is null");
            requireNonNull(stopGrace, "stopGrace is null");
            requireNonNull(startTimeout, "startTimeout is null");
            requireNonNull(startTimePerMembership, "startTimePerMembership is null");
        }

        CoreLauncher.Timing launch() {
            return new CoreLauncher.Timing(startTimeout, startTimePerMembership, stopGrace);
        }
    }

    private final BackendContext context;
    private final XraySettings settings;
    private final PanelConfig config;
    private final CoreApiConnector connector;
    private final Tuning tuning;
    private final String pathVariable;
    private final UsageDrain usage;
    private final LiveStats liveStats;
    private final CoreLauncher launcher;
    private final CoreWatchdog watchdog;
    private final ReentrantLock lock = new ReentrantLock();
    private final UserTable users = new UserTable();
    private final UserSync userSync;
    private final AtomicInteger restarts = new AtomicInteger();
    private final RoutingConfig routingConfig;
    private final RuleTable rules;
    private final ProbeRoutes probes;
    private final LatencySettings latencySettings;

    private volatile boolean closed;
    private volatile boolean suspended;
    /** The core's version once started. */
    private volatile CoreVersion version;
    /** The executable and its version, found by {@link #checkConfig()} or {@link #start()}. */
    private volatile CoreVersion detected;
    private volatile Path executable;
    private volatile XrayConfigRenderer renderer;
    private volatile CoreSession session;
    private volatile RoutingControl routing;
    private volatile OutboundLatencies latencies;

    XrayBackend(BackendContext context, XraySettings settings, PanelConfig config, CoreApiConnector connector,
            Tuning tuning, String pathVariable) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.config = requireNonNull(config, "config is null");
        this.connector = requireNonNull(connector, "connector is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
        this.pathVariable = pathVariable == null ? "" : pathVariable;
        this.usage = UsageDrain.of(context, config.nodeInboundTags());
        this.liveStats = new LiveStats(usage);
        this.launcher = new CoreLauncher(context, settings, connector, tuning.launch());
        this.routingConfig = RoutingConfig.of(config.root());
        this.rules = new RuleTable(routingConfig.rules());
        this.probes = ProbeRoutes.of(config.root(), config.probeInboundTag());
        this.latencySettings = LatencySettings.from(context.settings());
        this.watchdog = new CoreWatchdog(new Watched(), tuning.watchdog(), String.valueOf(INSTANCES.incrementAndGet()));
        this.userSync = new UserSync(config, users, new Synced());
    }

    /** Tests the config with the core's own test mode (see {@link ConfigCheck}); nothing runs afterwards. */
    @Override
    public void checkConfig() {
        lock.lock();
        try {
            requireOpen();
            CoreVersion found = detect();
            XrayConfigRenderer check = new XrayConfigRenderer(config, found.flavor(), rules, probes);
            List<UserEntry> sample = ConfigCheck.sampleUsers(config, context.users(), found.flavor());
            int port = CoreLauncher.freeLoopbackPort();
            ConfigCheck.run(executable, found.flavor(), settings.coreEnvironment(), context.workDirectory(),
                    out -> check.write(out, port, sample));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void start() {
        lock.lock();
        try {
            requireOpen();
            if (version != null) {
                return;
            }
            CoreVersion found = detect();
            log.info("starting {} {} from {}", found.flavor().displayName(), found.version(), executable);
            PanelConfig.Resolution initial = config.resolveAll(context.users(), found.flavor());
            initial.entries().forEach(users::put);
            initial.error().ifPresent(e -> log.warn("starting without some users: {}", e.getMessage()));
            if (!usage.hasLedger()) {
                log.warn("this node keeps no usage ledger: traffic the panel has not polled is lost whenever the core"
                        + " restarts");
            }
            renderer = new XrayConfigRenderer(config, found.flavor(), rules, probes);
            routing = found.flavor() == CoreFlavor.XRAY
                    ? RoutingControl.xray(rules, routingConfig, found.version(), new Routed())
                    : RoutingControl.v2fly(rules, routingConfig, found.version(), new Routed());
            latencies = new OutboundLatencies(config.root(), probes, latencySettings,
                    found.flavor() == CoreFlavor.XRAY, OutboundLatencies.Tuning.DEFAULTS, new Measured());
            StaleCore.endIfAny(context.workDirectory(), connector, usage, tuning.stopGrace());
            session = launch(found.flavor());
            version = found;
            watchdog.start();
            log.info("{} {} serves {} users (pid {})", found.flavor().displayName(), found.version(), users.size(),
                    session.process().pid());
        } finally {
            lock.unlock();
        }
    }

    /** Caller holds the lock. The executable and its flavor, looked for once. */
    private CoreVersion detect() {
        if (detected == null) {
            Path exe = settings.locateExecutable(pathVariable);
            detected = CoreVersion.detect(exe, settings.coreEnvironment());
            executable = exe;
        }
        return detected;
    }

    /** Caller holds the lock. Starts a core with the current users and watches it for an unexpected exit. */
    private CoreSession launch(CoreFlavor flavor) {
        CoreSession started = launcher.launch(executable, flavor, renderer, users.all(), () -> closed);
        started.process().onExit().thenAccept(p -> {
            if (!closed && session == started) {
                log.warn("the core (pid {}) exited unexpectedly with code {}", p.pid(), p.exitValue());
                started.ended();
                watchdog.coreExited(started, p.exitValue());
            }
        });
        return started;
    }

    /**
     * Hands the core's counters to the node's ledger and stops the core; the users, the config and every other
     * part of the state stay for {@link #resume()}.
     */
    @Override
    public boolean suspend() {
        lock.lock();
        try {
            if (closed || version == null) {
                return false;
            }
            if (suspended) {
                return true;
            }
            suspended = true; // from here on the watchdog restarts nothing
            CoreSession running = session;
            session = null;
            if (running != null) {
                boolean answering = answers(running);
                if (answering) {
                    drainQuietly(running, "before the core was suspended");
                }
                running.stop(answering ? tuning.stopGrace() : Duration.ZERO);
                log.info("core suspended (pid {}); its {} users are kept for a resume", running.process().pid(),
                        users.size());
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            requireOpen();
            if (!suspended) {
                return;
            }
            try {
                session = launch(version.flavor());
            } catch (BackendException e) {
                throw new BackendException(BackendException.Kind.FAILURE, "the suspended core did not come back: "
                        + e.getMessage(), e);
            }
            suspended = false;
            log.info("core resumed with {} users (pid {})", users.size(), session.process().pid());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        launcher.abort();
        watchdog.close();
        OutboundLatencies measuring = latencies;
        if (measuring != null) {
            measuring.close();
        }
        lock.lock();
        try {
            CoreSession running = session;
            session = null;
            if (running != null) {
                running.stop(answers(running) ? tuning.stopGrace() : Duration.ZERO);
                log.info("core stopped (pid {})", running.process().pid());
            }
            connector.close();
        } finally {
            lock.unlock();
            CoreCounters.dropSpare();
        }
    }

    @Override
    public boolean isRunning() {
        CoreSession running = session;
        return !closed && !suspended && running != null && running.process().isAlive();
    }

    @Override
    public String coreVersion() {
        CoreVersion v = version;
        return v == null ? "" : v.version();
    }

    @Override
    public void syncUser(User user) {
        apply(List.of(requireNonNull(user, "user is null")), false);
    }

    @Override
    public void replaceUsers(Collection<User> all) {
        apply(all, true);
    }

    @Override
    public void updateUsers(Collection<User> some) {
        apply(some, false);
    }

    private void apply(Collection<User> given, boolean fullSet) {
        CoreFlavor flavor = started().flavor();
        UserSync.Result result;
        lockForSync();
        try {
            requireServing();
            CoreSession running = session;
            if (running != null) {
                failIfNotAnswering(running);
            }
            result = userSync.apply(given, fullSet, flavor, running);
        } finally {
            lock.unlock();
        }
        if (result.unreachable()) {
            throw new BackendException(BackendException.Kind.FAILURE, "the core stopped answering during this sync;"
                    + " the node restarts it with every user, this sync's changes included"
                    + (result.problems().isEmpty() ? "" : ". Also: " + result.problems().sentence()));
        }
        result.problems().throwIfAny();
    }

    /**
     * Takes the lock for a sync: waits behind another sync (each bounded by its calls' deadlines), but not behind a
     * restart, which with 100,000 users takes half a minute.
     */
    private void lockForSync() {
        try {
            while (!lock.tryLock(200, TimeUnit.MILLISECONDS)) {
                Optional<String> restarting = watchdog.restarting();
                if (restarting.isPresent()) {
                    throw new BackendException(BackendException.Kind.FAILURE, "the core is being restarted ("
                            + restarting.get() + "); nothing of this sync was applied: send it again in a moment");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while waiting to sync users", e);
        }
    }

    /**
     * Drains (when the old core answers), stops and starts the core again with the current users. Caller holds
     * the lock.
     */
    private void restartLocked(CoreSession seen, String reason, boolean answering) {
        if (closed || suspended || session != seen) {
            return;
        }
        session = null;
        if (seen != null) {
            boolean drainable = answering && seen.process().isAlive();
            if (drainable) {
                drainQuietly(seen, "before the restart");
            }
            seen.stop(drainable ? tuning.stopGrace() : Duration.ZERO);
        }
        CoreSession started = launch(version.flavor());
        session = started;
        routing.coreStarted(started.api().channel());
        int count = restarts.incrementAndGet();
        log.warn("core restarted ({}): restart #{}, pid {}, {} users", reason, count, started.process().pid(),
                users.size());
    }

    private void drainQuietly(CoreSession core, String when) {
        try {
            usage.drain(core.api(), UsageDrain.ALL);
        } catch (BackendException e) {
            log.warn("could not hand the core's counters to the usage ledger {}; the traffic it counted since the"
                    + " last drain is lost: {}", when, e.getMessage());
        }
    }

    @Override
    public List<Stat> stats(StatQuery query) {
        List<Stat> stats = new ArrayList<>();
        stats(query, stats::add);
        return stats;
    }

    /**
     * The core's live counters; while no core runs (it is being restarted) they are zero, the old core's having been
     * handed to the ledger.
     */
    @Override
    public void stats(StatQuery query, Consumer<Stat> sink) {
        requireNonNull(query, "query is null");
        requireNonNull(sink, "sink is null");
        started();
        CoreSession running = session;
        CoreApiClient api = null;
        if (running != null) {
            failIfNotAnswering(running);
            api = running.api();
        }
        if (query.scope().isSingle()) {
            liveStats.single(api, query, knows(query)).forEach(sink);
        } else {
            liveStats.list(api, query, sink);
        }
    }

    /**
     * Whether the query names a target the node knows: a user it holds, or an inbound or outbound of the
     * panel's config (the node's own API inbound is not the panel's). Such a target without counters yet
     * has had no traffic; any other target is unknown.
     */
    private boolean knows(StatQuery query) {
        return switch (query.scope()) {
            case USER -> users.contains(query.name());
            case INBOUND -> config.inboundTags().contains(query.name());
            case OUTBOUND -> config.outboundTags().contains(query.name());
            default -> false;
        };
    }

    @Override
    public void drainUsage(Set<TrafficOwner> owners) {
        requireNonNull(owners, "owners is null");
        CoreSession running = session;
        if (closed || running == null) {
            return; // no core counts anything now
        }
        failIfNotAnswering(running);
        usage.drain(running.api(), owners);
    }

    @Override
    public long onlineCount(String email) {
        return onlineApi().onlineCount(email);
    }

    @Override
    public Map<String, Long> onlineIps(String email) {
        return onlineApi().onlineIps(email);
    }

    private CoreApiClient onlineApi() {
        CoreFlavor flavor = started().flavor();
        if (!flavor.hasOnlineStats()) {
            throw new BackendException(BackendException.Kind.UNSUPPORTED,
                    "online statistics need an Xray core; this node runs " + flavor.displayName() + " " + coreVersion());
        }
        return runningApi();
    }

    @Override
    public RuntimeStats runtimeStats() {
        started();
        SysStatsResponse s = runningApi().sysStats(CoreApiClient.READ_DEADLINE);
        return new RuntimeStats(s.getNumGoroutine(), s.getNumGc(), s.getAlloc(), s.getTotalAlloc(), s.getSys(),
                s.getMallocs(), s.getFrees(), s.getLiveObjects(), s.getPauseTotalNs(), s.getUptime());
    }

    /** Routing control of the running core: live on Xray, by restarts on v2fly. */
    @Override
    public Routing routing() {
        started();
        return routing;
    }

    /** The outbounds' latency: the config's observatory where it reports them (Xray), the node's probes otherwise. */
    @Override
    public List<OutboundLatency> outboundLatencies(String outboundName) {
        started();
        return latencies.measure(requireNonNull(outboundName, "outboundName is null"));
    }

    private CoreVersion started() {
        CoreVersion v = version;
        if (v == null || closed) {
            throw new BackendException(BackendException.Kind.FAILURE, "the core is not running");
        }
        return v;
    }

    private void requireOpen() {
        if (closed) {
            throw new BackendException(BackendException.Kind.FAILURE, "this backend was closed; start a new one");
        }
    }

    private void requireServing() {
        if (closed) {
            throw new BackendException(BackendException.Kind.FAILURE, "the backend is stopped");
        }
        if (suspended) {
            throw new BackendException(BackendException.Kind.FAILURE, "the core is suspended while the node starts"
                    + " another backend; try again in a moment");
        }
    }

    /** The running core's API, failing at once while it is being restarted or is known not to answer. */
    private CoreApiClient runningApi() {
        CoreSession running = session;
        if (running == null) {
            throw new BackendException(BackendException.Kind.FAILURE, "the core is "
                    + watchdog.restarting().map(reason -> "being restarted (" + reason + ")").orElse("not serving now")
                    + "; try again in a moment");
        }
        failIfNotAnswering(running);
        return running.api();
    }

    private void failIfNotAnswering(CoreSession running) {
        Optional<String> trouble = watchdog.trouble(running);
        if (trouble.isPresent()) {
            throw new BackendException(BackendException.Kind.FAILURE, trouble.get() + "; try again in a moment");
        }
    }

    private boolean answers(CoreSession running) {
        return running.process().isAlive() && watchdog.trouble(running).isEmpty();
    }

    /** The core's process id, while one runs. */
    OptionalLong corePid() {
        CoreSession running = session;
        return running == null ? OptionalLong.empty() : OptionalLong.of(running.process().pid());
    }

    /** How many times the plugin restarted the core since start. */
    int restartCount() {
        return restarts.get();
    }

    /** The users the core holds, by email (a copy). */
    Map<String, UserEntry> users() {
        lock.lock();
        try {
            return Map.copyOf(users.byEmail());
        } finally {
            lock.unlock();
        }
    }

    /** What a sync asks of the backend; called under the lock. */
    private final class Synced implements UserSync.Core {
        @Override
        public void restartForChange(CoreSession running, String reason) {
            try {
                restartLocked(running, reason, true);
            } catch (BackendException e) {
                watchdog.coreFailed(null, "the restart for a user change failed", false);
                throw e;
            }
        }

        @Override
        public void unreachable(CoreSession running) {
            watchdog.coreFailed(running, "the core's API stopped answering during a user sync", false);
        }
    }

    /** What routing asks of the backend. */
    private final class Routed implements RoutingControl.Core {
        @Override
        public <T> T exclusively(Supplier<T> change) {
            lock.lock();
            try {
                if (closed) {
                    throw new BackendException(BackendException.Kind.FAILURE, "the backend is stopped");
                }
                return change.get();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Optional<Channel> api() {
            return Optional.ofNullable(session).map(running -> running.api().channel());
        }

        @Override
        public void restart(String reason) {
            try {
                restartLocked(session, reason, true); // a routing change: the core answers, so it is drained first
            } catch (BackendException e) {
                watchdog.coreFailed(null, "the restart for a routing change failed", false);
                throw e;
            }
        }

        @Override
        public List<RuleDefinition> nodeRules() {
            return renderer.nodeRules();
        }
    }

    /** What the latency measurements ask of the backend. */
    private final class Measured implements OutboundLatencies.Core {
        @Override
        public Optional<InetSocketAddress> probeInbound() {
            CoreSession running = session;
            return running == null ? Optional.empty()
                    : Optional.of(new InetSocketAddress(ProbeRoutes.HOST, running.apiPort()));
        }

        @Override
        public Optional<Channel> api() {
            return Optional.ofNullable(session).map(running -> running.api().channel());
        }
    }

    private final class Watched implements CoreWatchdog.WatchedCore {
        @Override
        public Optional<CoreSession> session() {
            return Optional.ofNullable(session);
        }

        @Override
        public void restart(CoreSession seen, String reason, boolean answering) {
            lock.lock();
            try {
                restartLocked(seen, reason, answering);
            } finally {
                lock.unlock();
            }
        }
    }
}
