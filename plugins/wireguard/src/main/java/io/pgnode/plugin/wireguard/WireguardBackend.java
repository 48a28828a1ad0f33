package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WireGuard interface for the panel: its peers are the panel's users. Creates the interface ({@link
 * TunnelLauncher}), changes peers live with {@code wg set} (only the difference, so unchanged peers keep their
 * sessions), counts each user's traffic from the peers' counters ({@link TrafficAccount}) and hands it to the node's
 * ledger, and recreates the interface with every peer when its wireguard-go dies ({@link InterfaceWatchdog}).
 *
 * <p>Threading: start, close, suspend, resume, recreations and user syncs hold the lifecycle lock; every reading of
 * the interface and every change of its peers also holds the accounting lock (taken second), so that a reading, a
 * peer change and the baselines it moves are one step and every byte is counted once. Stats and online queries take
 * only the accounting lock.
 */
public final class WireguardBackend implements Backend {

    private static final Logger log = LoggerFactory.getLogger(WireguardBackend.class);
    /** How long a sample that found the interface gone waits for its daemon to exit (see {@link #exitsSoon}). */
    private static final Duration DAEMON_EXIT_GRACE = Duration.ofSeconds(2);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Set<TrafficOwner> ALL_OWNERS = EnumSet.allOf(TrafficOwner.class);

    /**
     * Knobs that are not operator settings; tests shorten them.
     *
     * @param sampleInterval how often the counters are read (a wireguard-go that dies loses at most this much)
     * @param daemonTimeout how long wireguard-go may take to open its control socket
     * @param stopGrace how long wireguard-go may take to exit after TERM before it is killed
     * @param toolTimeout how long one {@code wg} or {@code ip} run may take
     * @param maxRetryDelay the longest wait between two failed recreations
     * @param onlineWindow how recent a handshake makes a peer online
     */
    record Tuning(Duration sampleInterval, Duration daemonTimeout, Duration stopGrace, Duration toolTimeout,
            Duration maxRetryDelay, Duration onlineWindow) {
        Tuning {
            requireNonNull(sampleInterval, "sampleInterval is null");
            requireNonNull(daemonTimeout, "daemonTimeout is null");
            requireNonNull(stopGrace, "stopGrace is null");
            requireNonNull(toolTimeout, "toolTimeout is null");
            requireNonNull(maxRetryDelay, "maxRetryDelay is null");
            requireNonNull(onlineWindow, "onlineWindow is null");
        }

        /**
         * A WireGuard session lives at most 180 s after its handshake (REJECT_AFTER_TIME), and a peer that sends
         * shakes hands again every 120 s: a handshake within the last 3 minutes is a peer that can have traffic.
         */
        static Tuning defaults() {
            return new Tuning(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
                    Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(3));
        }
    }

    private final BackendContext context;
    private final WireguardSettings settings;
    private final InterfaceConfig config;
    private final Tuning tuning;
    private final String pathVariable;
    private final PeerPlanner planner;
    private final TrafficAccount account;
    private final InterfaceWatchdog watchdog;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final ReentrantLock accounting = new ReentrantLock();
    private final AtomicInteger restarts = new AtomicInteger();

    private volatile boolean closed;
    private volatile boolean suspended;
    private volatile String version;
    private volatile IpCommand ip;
    private volatile TunnelLauncher launcher;
    private volatile LatencyProbe latency;
    /** The live interface; null before start, while suspended, after close and while a recreation failed. */
    private volatile TunnelInterface tunnel;
    /** The peers the interface has (or gets at its next creation), by email; an immutable snapshot. */
    private volatile Map<String, Peer> peers = Map.of();

    WireguardBackend(BackendContext context, WireguardSettings settings, InterfaceConfig config, Tuning tuning,
            String pathVariable) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.config = requireNonNull(config, "config is null");
        this.tuning = requireNonNull(tuning, "tuning is null");
        this.pathVariable = pathVariable == null ? "" : pathVariable;
        boolean excluded = context.excludedInbounds().contains(config.interfaceName());
        this.planner = new PeerPlanner(config.interfaceName(), excluded);
        this.account = new TrafficAccount(config.interfaceName());
        this.watchdog = new InterfaceWatchdog(new Watched(), tuning.sampleInterval(), tuning.maxRetryDelay(),
                String.valueOf(INSTANCES.incrementAndGet()));
    }

    @Override
    public void checkConfig() {
        WireguardSettings.Tools tools = settings.locate(pathVariable);
        IpCommand ipCommand = ipCommand(tools);
        wgCommand(tools).version();
        Preflight preflight = new Preflight(config, settings.mode(), ipCommand);
        preflight.checkPermissions();
        // the running backend's interface (a record of ours) goes away before this one is created
        preflight.checkNameAndPort(InterfaceRecord.all(context.workDirectory()));
    }

    @Override
    public void start() {
        lifecycle.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "this backend was closed; start a new one");
            }
            if (version != null) {
                return;
            }
            WireguardSettings.Tools tools = settings.locate(pathVariable);
            WgCommand wg = wgCommand(tools);
            IpCommand ipCommand = ipCommand(tools);
            String detected = wg.version();
            Preflight preflight = new Preflight(config, settings.mode(), ipCommand);
            preflight.checkPermissions();
            StaleInterfaces leftovers = new StaleInterfaces(context.workDirectory(), ipCommand, tuning.stopGrace());
            leftovers.removeAll();
            preflight.checkNameAndPort(List.of());
            if (settings.mode() == WireguardSettings.Mode.USERSPACE) {
                leftovers.removeOrphanedSocket(config.interfaceName());
            }
            if (context.excludedInbounds().contains(config.interfaceName())) {
                log.warn("the panel excluded {} from user changes: the interface gets no peers",
                        config.interfaceName());
            }
            PeerPlan initial = planner.plan(Map.of(), context.users(), true);
            if (!initial.skipped().isEmpty()) {
                log.warn("starting without some users: {}",
                        new UserSyncException(initial.skipped(), List.of()).getMessage());
            }
            ip = ipCommand;
            launcher = new TunnelLauncher(config, settings, tools, wg, ipCommand, context.workDirectory(),
                    context.logSink(), tuning.daemonTimeout(), tuning.stopGrace());
            TunnelInterface created;
            accounting.lock();
            try {
                created = launcher.create(new ArrayList<>(initial.wanted().values()));
                peers = initial.wanted();
                account.interfaceCreated(initial.wanted().values());
                tunnel = created;
            } finally {
                accounting.unlock();
            }
            watch(created);
            if (tools.curl().isEmpty()) {
                log.warn("no curl found on PATH: latency probes will fail; install curl or set {}",
                        WireguardSettings.CURL_PATH);
            }
            latency = new LatencyProbe(config.interfaceName(), config.latency(), tools.curl());
            version = detected;
            watchdog.start();
            log.info("WireGuard interface {} up ({} {}, wireguard-tools {}): port {}, {} peers{}",
                    config.interfaceName(), settings.mode().name().toLowerCase(Locale.ROOT),
                    created.daemon().map(d -> "pid " + d.pid()).orElse("kernel"), detected, config.listenPort(),
                    initial.wanted().size(), config.preSharedKey().isPresent() ? ", pre-shared key" : "");
        } finally {
            lifecycle.unlock();
        }
    }

    private WgCommand wgCommand(WireguardSettings.Tools tools) {
        return new WgCommand(new Tool(tools.wg(), "wg", tuning.toolTimeout(), Map.of()));
    }

    private IpCommand ipCommand(WireguardSettings.Tools tools) {
        return new IpCommand(new Tool(tools.ip(), "ip", tuning.toolTimeout(), Map.of()));
    }

    /** Records the new interface in the work directory and watches its daemon. */
    private void watch(TunnelInterface created) {
        try {
            created.record().write(context.workDirectory());
        } catch (UncheckedIOException e) {
            log.warn("could not record {} in the work directory; after a crash of the node it would be left behind:"
                    + " {}", created.name(), e.getMessage());
        }
        created.daemon().ifPresent(daemon -> daemon.onExit().thenAccept(process -> {
            if (!closed && tunnel == created) {
                List<String> lines = daemon.lastLines();
                log.warn("wireguard-go (pid {}) exited unexpectedly with code {}; its last lines: {}", process.pid(),
                        process.exitValue(), lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                watchdog.interfaceLost(created, "wireguard-go exited unexpectedly with code " + process.exitValue());
            }
        }));
    }

    /**
     * Removes the interface after reading its counters one last time and handing them to the ledger. Caller holds
     * both locks and has already replaced {@link #tunnel}, so that the daemon's exit is not taken for a crash.
     */
    private void takeDown(TunnelInterface old) {
        if (old.isAlive()) {
            try {
                readAll(old);
            } catch (BackendException e) {
                log.warn("could not read the counters before removing {}; the traffic since the last reading ({} s at"
                        + " most) is lost: {}", old.name(), tuning.sampleInterval().toSeconds(), e.getMessage());
            }
        }
        drainIfTheNodeHasALedger();
        old.destroy(tuning.stopGrace());
        old.record().delete(context.workDirectory());
    }

    private void readAll(TunnelInterface t) {
        account.record(t.dump());
        account.record(t.counters());
    }

    /** Hands everything counted to the node's ledger; without one (an older node) the account keeps it. */
    private void drainIfTheNodeHasALedger() {
        try {
            account.drainInto(context.usage(), ALL_OWNERS);
        } catch (UnsupportedOperationException noLedger) {
            log.debug("the node has no usage ledger; the counted traffic stays with the backend");
        }
    }

    @Override
    public boolean suspend() {
        lifecycle.lock();
        try {
            if (closed || version == null) {
                return false;
            }
            if (!suspended) {
                accounting.lock();
                try {
                    TunnelInterface old = tunnel;
                    tunnel = null;
                    suspended = true;
                    if (old != null) {
                        takeDown(old);
                    }
                } finally {
                    accounting.unlock();
                }
                log.info("WireGuard interface {} removed for now; its {} peers are kept", config.interfaceName(),
                        peers.size());
            }
            return true;
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public void resume() {
        lifecycle.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "this backend was closed; start a new one");
            }
            if (!suspended) {
                return;
            }
            TunnelInterface created = createWithPeers();
            suspended = false;
            watch(created);
            log.info("WireGuard interface {} back with {} peers", config.interfaceName(), peers.size());
        } finally {
            lifecycle.unlock();
        }
    }

    /** Creates the interface with the current peers; their counters start at zero. Caller holds the lifecycle lock. */
    private TunnelInterface createWithPeers() {
        accounting.lock();
        try {
            TunnelInterface created = launcher.create(new ArrayList<>(peers.values()));
            account.interfaceCreated(peers.values());
            tunnel = created;
            return created;
        } finally {
            accounting.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.close();
        lifecycle.lock();
        try {
            accounting.lock();
            try {
                TunnelInterface old = tunnel;
                tunnel = null;
                if (old != null) {
                    takeDown(old);
                    log.info("WireGuard interface {} removed", old.name());
                }
            } finally {
                accounting.unlock();
            }
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public boolean isRunning() {
        TunnelInterface t = tunnel;
        return !closed && t != null && t.isAlive();
    }

    @Override
    public String coreVersion() {
        String v = version;
        return v == null ? "" : v;
    }

    @Override
    public void syncUser(User user) {
        apply(List.of(requireNonNull(user, "user is null")), false);
    }

    @Override
    public void replaceUsers(Collection<User> users) {
        apply(users, true);
    }

    @Override
    public void updateUsers(Collection<User> users) {
        apply(users, false);
    }

    private void apply(Collection<User> given, boolean fullSet) {
        started();
        PeerPlan plan;
        List<UserSyncException.RefusedChange> refused = List.of();
        lifecycle.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "the backend is stopped");
            }
            plan = planner.plan(peers, given, fullSet);
            if (!plan.changesNothing()) {
                accounting.lock();
                try {
                    TunnelInterface t = tunnel;
                    if (t != null && t.isAlive()) {
                        LivePeerChanges.Outcome outcome = new LivePeerChanges(account).apply(t, peers, plan);
                        peers = outcome.peers();
                        refused = outcome.refused();
                        if (outcome.interfaceGone()) {
                            watchdog.interfaceLost(t, "the interface vanished during a user sync");
                        }
                    } else {
                        peers = plan.wanted(); // no interface now: its next creation takes these peers
                    }
                } finally {
                    accounting.unlock();
                }
                log.atLevel(fullSet ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                        .log("peers of {}: {} added or changed, {} removed, {} now", config.interfaceName(),
                                plan.upserts().size(), plan.removals().size(), peers.size());
            }
        } finally {
            lifecycle.unlock();
        }
        if (!plan.skipped().isEmpty() || !refused.isEmpty()) {
            throw new UserSyncException(plan.skipped(), refused);
        }
    }

    @Override
    public List<Stat> stats(StatQuery query) {
        List<Stat> stats = new ArrayList<>();
        stats(query, stats::add);
        return stats;
    }

    @Override
    public void stats(StatQuery query, Consumer<Stat> sink) {
        requireNonNull(query, "query is null");
        requireNonNull(sink, "sink is null");
        started();
        if (query.scope() == StatQuery.Scope.INBOUNDS || query.scope() == StatQuery.Scope.INBOUND) {
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "a WireGuard node has no inbounds: ask"
                    + " for users' stats, or for the outbound " + config.interfaceName() + " (the interface)");
        }
        accounting.lock();
        try {
            switch (query.scope()) {
                case USERS:
                    readPeers();
                    account.users(query.reset(), sink);
                    break;
                case USER:
                    readPeers();
                    if (!account.knowsUser(query.name(), peers.keySet())) {
                        throw new BackendException(BackendException.Kind.NOT_FOUND, "user " + query.name()
                                + " is not a peer of " + config.interfaceName());
                    }
                    account.user(query.name(), query.reset(), sink);
                    break;
                case OUTBOUNDS:
                    readInterface();
                    account.interfaceTraffic(query.reset(), sink);
                    break;
                case OUTBOUND:
                    if (!query.name().equals(config.interfaceName())) {
                        throw new BackendException(BackendException.Kind.NOT_FOUND, "this WireGuard node has one"
                                + " outbound, its interface " + config.interfaceName() + "; there is no "
                                + query.name());
                    }
                    readInterface();
                    account.interfaceTraffic(query.reset(), sink);
                    break;
                default:
                    throw new IllegalStateException("unexpected scope " + query.scope());
            }
        } finally {
            accounting.unlock();
        }
    }

    /**
     * Brings the account up to date with the peers' counters. Best effort: an interface that cannot be read now
     * (recreating) has nothing more to add than what the account holds. Caller holds the accounting lock.
     */
    private void readPeers() {
        TunnelInterface t = tunnel;
        if (t != null && t.isAlive()) {
            try {
                account.record(t.dump());
            } catch (BackendException e) {
                log.debug("answering from the counts so far: {}", e.getMessage());
            }
        }
    }

    private void readInterface() {
        TunnelInterface t = tunnel;
        if (t != null && t.isAlive()) {
            try {
                account.record(t.counters());
            } catch (BackendException e) {
                log.debug("answering from the counts so far: {}", e.getMessage());
            }
        }
    }

    @Override
    public void drainUsage(Set<TrafficOwner> owners) {
        requireNonNull(owners, "owners is null");
        if (version == null) {
            return;
        }
        accounting.lock();
        try {
            if (owners.contains(TrafficOwner.USER)) {
                readPeers();
            }
            if (owners.contains(TrafficOwner.OUTBOUND)) {
                readInterface();
            }
            account.drainInto(context.usage(), owners);
        } finally {
            accounting.unlock();
        }
    }

    @Override
    public long onlineCount(String email) {
        return onlineStatus(email).isPresent() ? 1 : 0;
    }

    @Override
    public Map<String, Long> onlineIps(String email) {
        return onlineStatus(email)
                .flatMap(status -> status.endpointIp().map(ipText -> Map.of(ipText, status.latestHandshake())))
                .orElse(Map.of());
    }

    /** The user's peer status when it shook hands within the online window; NOT_FOUND for a user who is no peer. */
    private Optional<InterfaceDump.PeerStatus> onlineStatus(String email) {
        started();
        Peer peer = peers.get(email);
        if (peer == null) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "user " + email + " is not a peer of "
                    + config.interfaceName());
        }
        InterfaceDump dump;
        accounting.lock();
        try {
            TunnelInterface t = running();
            dump = t.dump();
            account.record(dump);
        } finally {
            accounting.unlock();
        }
        long now = Instant.now().getEpochSecond();
        return dump.peer(peer.key())
                .filter(status -> status.latestHandshake() > 0
                        && now - status.latestHandshake() <= tuning.onlineWindow().toSeconds());
    }

    /**
     * Uptime of the current interface and the number of peers (as {@code live_objects}): what a WireGuard
     * interface honestly has of the Go runtime's figures.
     */
    @Override
    public RuntimeStats runtimeStats() {
        started();
        TunnelInterface t = running();
        long uptime = Duration.between(t.createdAt(), Instant.now()).toSeconds();
        return RuntimeStats.of((int) Math.min(Integer.MAX_VALUE, Math.max(0, uptime)), peers.size());
    }

    @Override
    public List<OutboundLatency> outboundLatencies(String outboundName) {
        started();
        if (!outboundName.isEmpty() && !outboundName.equals(config.interfaceName())) {
            return List.of();
        }
        running();
        return List.of(latency.probe());
    }

    private void started() {
        if (version == null || closed) {
            throw new BackendException(BackendException.Kind.FAILURE, "the WireGuard interface is not running");
        }
    }

    private TunnelInterface running() {
        TunnelInterface t = tunnel;
        if (t == null || !t.isAlive()) {
            throw new BackendException(BackendException.Kind.FAILURE, "the WireGuard interface "
                    + config.interfaceName() + " is down and being recreated; try again in a moment");
        }
        return t;
    }

    /** The wireguard-go process id, while one runs. */
    OptionalLong daemonPid() {
        TunnelInterface t = tunnel;
        return t == null ? OptionalLong.empty()
                : t.daemon().map(d -> OptionalLong.of(d.pid())).orElse(OptionalLong.empty());
    }

    /** How many times the backend recreated the interface since start. */
    int restartCount() {
        return restarts.get();
    }

    /** The peers by email (a snapshot). */
    Map<String, Peer> peers() {
        return peers;
    }

    private final class Watched implements InterfaceWatchdog.Watched {
        @Override
        public void recreate(TunnelInterface lost, String reason) {
            lifecycle.lock();
            try {
                if (closed || suspended || tunnel != lost) {
                    return;
                }
                TunnelInterface created;
                accounting.lock();
                try {
                    tunnel = null;
                    if (lost != null) {
                        takeDown(lost);
                    }
                    created = createWithPeers();
                } finally {
                    accounting.unlock();
                }
                watch(created);
                int count = restarts.incrementAndGet();
                log.warn("WireGuard interface {} recreated ({}): restart #{}, {}, {} peers", created.name(), reason,
                        count, created.daemon().map(d -> "pid " + d.pid()).orElse("kernel"), peers.size());
            } finally {
                lifecycle.unlock();
            }
        }

        @Override
        public TunnelInterface sample() {
            TunnelInterface vanished = sampleLocked();
            if (vanished != null && vanished.daemon().map(WireguardBackend::exitsSoon).orElse(false)) {
                return null; // the daemon is dying: its exit asks for the recreation, and names the cause
            }
            return vanished;
        }

        private TunnelInterface sampleLocked() {
            accounting.lock();
            try {
                TunnelInterface t = tunnel;
                if (t == null || !t.isAlive()) {
                    return null; // down: the daemon's exit already asked for a recreation
                }
                try {
                    readAll(t);
                    return null;
                } catch (BackendException e) {
                    if (!t.isAlive()) {
                        return null;
                    }
                    if (!ip.exists(t.name())) {
                        return t;
                    }
                    throw e;
                }
            } finally {
                accounting.unlock();
            }
        }
    }

    /**
     * Whether the daemon exits within {@link #DAEMON_EXIT_GRACE}. A killed wireguard-go loses its interface as it
     * dies, before the JVM has reaped it: a sample in between finds the interface gone and the process still
     * running.
     */
    private static boolean exitsSoon(WireguardGoProcess daemon) {
        try {
            daemon.onExit().get(DAEMON_EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
