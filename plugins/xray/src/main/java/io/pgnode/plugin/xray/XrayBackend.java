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
import io.pgnode.spi.User;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Xray or v2fly core for the panel: renders its config, starts it as a child process, keeps its
 * users in sync through its API, answers stats from the core plus the {@link UsageLedger}, and restarts it
 * (users and counters intact) when it fails. Routing ({@link RoutingControl}, over the rules of a {@link RuleTable}
 * that every rendering reads) and outbound latency ({@link OutboundLatencies}) are roles of their own.
 *
 * <p>Threading: start, close, restarts and user syncs are serialized by one lock; stats and online queries
 * run concurrently and never wait for a sync.
 */
public final class XrayBackend implements Backend {

    private static final Logger log = LoggerFactory.getLogger(XrayBackend.class);
    private static final String DEBUG_CONFIG_FILE = "xray_config.json";
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * Knobs that are not operator settings; tests shorten them.
     *
     * @param watchdog probe, drain and retry timing
     * @param stopGrace how long a core may take to exit after TERM before it is killed
     * @param startTimeout how long a core with no users may take until its API answers
     * @param startTimePerMembership added to {@code startTimeout} per user-in-inbound (100k users load slowly)
     */
    record Tuning(CoreWatchdog.Timing watchdog, Duration stopGrace, Duration startTimeout,
            Duration startTimePerMembership) {
        Tuning {
            requireNonNull(watchdog, "watchdog is null");
            requireNonNull(stopGrace, "stopGrace is null");
            requireNonNull(startTimeout, "startTimeout is null");
            requireNonNull(startTimePerMembership, "startTimePerMembership is null");
        }

        static Tuning defaults(Duration drainInterval) {
            return new Tuning(
                    new CoreWatchdog.Timing(Duration.ofSeconds(5), Duration.ofSeconds(3), 3, drainInterval,
                            Duration.ofSeconds(30)),
                    Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMillis(1));
        }
    }

    private final BackendContext context;
    private final XraySettings settings;
    private final PanelConfig config;
    private final CoreApiConnector connector;
    private final Tuning tuning;
    private final String pathVariable;
    private final UsageLedger ledger;
    private final CoreWatchdog watchdog;
    private final ReentrantLock lock = new ReentrantLock();
    private final UserTable users = new UserTable();
    private final AtomicInteger restarts = new AtomicInteger();
    private final RoutingConfig routingConfig;
    private final RuleTable rules;
    private final ProbeRoutes probes;
    private final LatencySettings latencySettings;

    private volatile boolean closed;
    private volatile CoreVersion version;
    private volatile Path executable;
    private volatile XrayConfigRenderer renderer;
    private volatile CoreSession session;
    /** The core being started, so that close() can cut a long start short. */
    private volatile CoreProcess launching;
    /** The API port of the running core; its probe inbound listens on the same port at {@link ProbeRoutes#HOST}. */
    private volatile int apiPort;
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
        this.ledger = new UsageLedger(config.nodeInboundTags());
        this.routingConfig = RoutingConfig.of(config.root());
        this.rules = new RuleTable(routingConfig.rules());
        this.probes = ProbeRoutes.of(config.root(), config.probeInboundTag());
        this.latencySettings = LatencySettings.from(context.settings());
        this.watchdog = new CoreWatchdog(new Watched(), tuning.watchdog(), String.valueOf(INSTANCES.incrementAndGet()));
    }

    @Override
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "this backend was closed; start a new one");
            }
            if (version != null) {
                return;
            }
            Path exe = settings.locateExecutable(pathVariable);
            CoreVersion detected = CoreVersion.detect(exe, settings.coreEnvironment());
            log.info("starting {} {} from {}", detected.flavor().displayName(), detected.version(), exe);
            PanelConfig.Resolution initial = config.resolveAll(context.users(), detected.flavor());
            initial.entries().forEach(users::put);
            initial.error().ifPresent(e -> log.warn("starting without some users: {}", e.getMessage()));
            executable = exe;
            renderer = new XrayConfigRenderer(config, detected.flavor(), rules, probes);
            routing = detected.flavor() == CoreFlavor.XRAY
                    ? RoutingControl.xray(rules, routingConfig, detected.version(), new Routed())
                    : RoutingControl.v2fly(rules, routingConfig, detected.version(), new Routed());
            latencies = new OutboundLatencies(config.root(), probes, latencySettings,
                    detected.flavor() == CoreFlavor.XRAY, OutboundLatencies.Tuning.DEFAULTS, new Measured());
            session = launch(detected.flavor());
            version = detected;
            watchdog.start();
            log.info("{} {} serves {} users (pid {})", detected.flavor().displayName(), detected.version(),
                    users.size(), session.process().pid());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a core with the current users and waits until its API answers. Caller holds the lock. The API
     * port is picked free just before the core binds it; if something else took it meanwhile, another port
     * is tried.
     */
    private CoreSession launch(CoreFlavor flavor) {
        for (int attempt = 1; ; attempt++) {
            try {
                return launchOnPort(flavor, freeLoopbackPort());
            } catch (ApiPortTaken e) {
                if (attempt == 3) {
                    throw new BackendException(BackendException.Kind.FAILURE, e.getMessage());
                }
                log.warn("the core's API port was taken before the core bound it; trying another port");
            }
        }
    }

    private CoreSession launchOnPort(CoreFlavor flavor, int port) {
        CoreProcess.ConfigWriter writer = out -> renderer.write(out, port, users.all());
        if (settings.debug()) {
            writeDebugCopy(writer);
        }
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(flavor.stdinArguments());
        CoreProcess process;
        try {
            process = CoreProcess.start(command, settings.coreEnvironment(), context.workDirectory(), writer,
                    context.logSink());
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot start the core " + executable + ": "
                    + e.getMessage() + "; check " + XraySettings.EXECUTABLE, e);
        }
        launching = process;
        try {
            CoreApiClient api = awaitApi(process, port, flavor);
            CoreSession started = new CoreSession(process, api);
            apiPort = port;
            process.onExit().thenAccept(p -> {
                if (!closed && session == started) {
                    log.warn("the core (pid {}) exited unexpectedly with code {}", p.pid(), p.exitValue());
                    watchdog.coreExited(started, p.exitValue());
                }
            });
            return started;
        } catch (RuntimeException e) {
            process.stop(tuning.stopGrace());
            throw e;
        } finally {
            launching = null;
        }
    }

    /**
     * Polls the API until it answers. A fresh channel per attempt: a channel that failed to connect backs
     * off for a second or more, which would only delay a core that is ready in a fraction of that.
     */
    private CoreApiClient awaitApi(CoreProcess process, int port, CoreFlavor flavor) {
        long memberships = users.all().stream().mapToLong(UserEntry::inboundCount).sum();
        Duration limit = tuning.startTimeout().plus(tuning.startTimePerMembership().multipliedBy(memberships));
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 10;
        while (true) {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "the backend was closed while the core was starting");
            }
            if (!process.isAlive()) {
                String words = lastWords(process);
                if (words.contains(":" + port) && words.contains("address already in use")) {
                    throw new ApiPortTaken("the core could not bind its API port " + port + ":" + words);
                }
                throw coreExitedDuringStart(process);
            }
            CoreApiClient api = new CoreApiClient(connector.open(port), flavor);
            try {
                api.sysStats(Duration.ofSeconds(2));
                return api;
            } catch (BackendException notYet) {
                api.close();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BackendException(BackendException.Kind.FAILURE, "the core's API did not answer within "
                        + limit.toSeconds() + " s of starting; the core's last lines:" + lastWords(process));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.FAILURE, "interrupted while the core was starting", e);
            }
            pause = Math.min(250, pause * 3 / 2);
        }
    }

    /** Exit code 23 is how both cores say "this config cannot run". */
    private static BackendException coreExitedDuringStart(CoreProcess process) {
        int code = process.exitCode();
        String message = "the core exited with code " + code + " while starting; its last lines:" + lastWords(process);
        return new BackendException(code == 23 ? BackendException.Kind.INVALID_CONFIG : BackendException.Kind.FAILURE,
                message);
    }

    private static String lastWords(CoreProcess process) {
        List<String> lines = process.lastLines();
        List<String> tail = lines.subList(Math.max(0, lines.size() - 12), lines.size());
        return tail.isEmpty() ? " (none)" : "\n" + String.join("\n", tail);
    }

    /** DEBUG: the same rendering into GENERATED_CONFIG_PATH, owner-readable only (it holds credentials). */
    private void writeDebugCopy(CoreProcess.ConfigWriter writer) {
        Path dir = settings.generatedConfigPath();
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, DEBUG_CONFIG_FILE, ".tmp");
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort off POSIX
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                writer.writeTo(out);
            }
            Files.move(temp, dir.resolve(DEBUG_CONFIG_FILE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.warn("DEBUG: could not write the rendered config to {} ({}); check {}", dir, e.getMessage(),
                    XraySettings.GENERATED_CONFIG);
        }
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "no free loopback port for the core's API", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        watchdog.close();
        OutboundLatencies measuring = latencies;
        if (measuring != null) {
            measuring.close();
        }
        CoreProcess starting = launching;
        if (starting != null) {
            starting.stop(tuning.stopGrace());
        }
        lock.lock();
        try {
            CoreSession running = session;
            session = null;
            if (running != null) {
                running.stop(tuning.stopGrace());
                log.info("core stopped (pid {})", running.process().pid());
            }
            connector.close();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isRunning() {
        CoreSession running = session;
        return !closed && running != null && running.process().isAlive();
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
        Map<String, String> invalid;
        List<LiveUserUpdater.Outcome> refused = List.of();
        lock.lock();
        try {
            if (closed) {
                throw new BackendException(BackendException.Kind.FAILURE, "the backend is stopped");
            }
            long began = System.nanoTime();
            // resolved and compared one user at a time: only the users that change are kept
            UserDiff.Builder wanted = UserDiff.from(users.byEmail());
            invalid = config.resolveEach(given, flavor, wanted::want);
            UserDiff diff = wanted.build(fullSet, invalid.keySet());
            CoreSession running = session;
            if (diff.isEmpty()) {
                log.debug("user sync of {} users: nothing changed", given.size());
            } else if (diff.needsRestart(flavor, config.managedInbounds())) {
                users.putAll(diff);
                log.info("{} users changed in inbounds a {} core cannot change live (Shadowsocks); restarting it",
                        diff.changedEmails().size(), flavor.displayName());
                try {
                    restartLocked(running, "users changed in a Shadowsocks inbound");
                } catch (BackendException e) {
                    watchdog.coreFailed(null, "the restart for a user change failed");
                    throw e;
                }
            } else if (running == null) {
                users.putAll(diff); // the core is down; its next start renders these users
            } else {
                refused = applyLive(running, diff);
            }
            if (!diff.isEmpty()) {
                log.atLevel(fullSet ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.DEBUG)
                        .log("user sync: {} changes for {} users in {} ms", diff.changes().size(),
                                diff.changedEmails().size(), (System.nanoTime() - began) / 1_000_000);
            }
        } finally {
            lock.unlock();
        }
        reportProblems(PanelConfig.invalidUsers(invalid), refused);
    }

    /** Caller holds the lock. Returns the changes the core refused. */
    private List<LiveUserUpdater.Outcome> applyLive(CoreSession running, UserDiff diff) {
        List<LiveUserUpdater.Outcome> outcomes;
        try {
            outcomes = new LiveUserUpdater(running.api()).apply(diff.changes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while syncing users", e);
        }
        List<LiveUserUpdater.Outcome> refused = new ArrayList<>();
        boolean unreachable = false;
        for (LiveUserUpdater.Outcome outcome : outcomes) {
            if (outcome.coreUnreachable()) {
                // the wanted state goes into the table; the restart below renders it into the new core
                users.record(outcome.change(), true, outcome.change().added() != null);
                unreachable = true;
            } else {
                users.record(outcome.change(), outcome.removed(), outcome.added());
                if (outcome.error() != null) {
                    refused.add(outcome);
                }
            }
        }
        if (unreachable) {
            watchdog.coreFailed(running, "the core's API stopped answering during a user sync");
        }
        return refused;
    }

    private static void reportProblems(Optional<BackendException> invalid, List<LiveUserUpdater.Outcome> refused) {
        if (refused.isEmpty()) {
            if (invalid.isPresent()) {
                throw invalid.get();
            }
            return;
        }
        StringBuilder message = new StringBuilder(invalid.map(e -> e.getMessage() + ". ").orElse(""))
                .append("the core refused ").append(refused.size()).append(" user changes: ");
        boolean badUser = invalid.isPresent();
        for (int i = 0; i < refused.size() && i < 10; i++) {
            LiveUserUpdater.Outcome o = refused.get(i);
            message.append(i > 0 ? "; " : "").append(o.change().email()).append(" in ").append(o.change().tag())
                    .append(": ").append(o.errorText());
            badUser |= o.errorText().contains("failed to parse user");
        }
        if (refused.size() > 10) {
            message.append("; and ").append(refused.size() - 10).append(" more");
        }
        throw new BackendException(badUser ? BackendException.Kind.INVALID_USER : BackendException.Kind.FAILURE,
                message.toString());
    }

    /** Drains, stops and starts the core again with the current users. Caller holds the lock. */
    private void restartLocked(CoreSession seen, String reason) {
        if (closed || session != seen) {
            return;
        }
        session = null;
        if (seen != null) {
            if (seen.process().isAlive()) {
                try {
                    ledger.drain(seen.api());
                } catch (BackendException e) {
                    log.warn("could not drain the counters before the restart; traffic since the last drain is lost: {}",
                            e.getMessage());
                }
            }
            seen.stop(tuning.stopGrace());
        }
        CoreSession started = launch(started().flavor());
        session = started;
        routing.coreStarted(started.api().channel());
        int count = restarts.incrementAndGet();
        log.warn("core restarted ({}): restart #{}, pid {}, {} users", reason, count, started.process().pid(),
                users.size());
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
        ledger.read(query, Optional.ofNullable(session).map(CoreSession::api), knows(query), sink);
    }

    /**
     * Whether the query names a target the node knows: a user it holds, or an inbound or outbound of the
     * panel's config (the node's own API inbound is not the panel's). Such a target without counters yet
     * has had no traffic; any other target is unknown.
     */
    private boolean knows(StatQuery query) {
        switch (query.scope()) {
            case USER:
                return users.contains(query.name());
            case INBOUND:
                return config.inboundTags().contains(query.name());
            case OUTBOUND:
                return config.outboundTags().contains(query.name());
            default:
                return false;
        }
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
        SysStatsResponse s = runningApi().sysStats(Duration.ofSeconds(10));
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

    private CoreApiClient runningApi() {
        CoreSession running = session;
        if (running == null) {
            throw new BackendException(BackendException.Kind.FAILURE, "the core is restarting; try again in a moment");
        }
        return running.api();
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

    /** Drains the counters now, as the periodic drain does. */
    void drainNow() {
        CoreSession running = session;
        if (running != null) {
            ledger.drain(running.api());
        }
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

    /** The API port went to someone else between picking it and the core binding it. */
    private static final class ApiPortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ApiPortTaken(String message) {
            super(message);
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
                restartLocked(session, reason);
            } catch (BackendException e) {
                watchdog.coreFailed(null, "the restart for a routing change failed");
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
            return session == null ? Optional.empty() : Optional.of(new InetSocketAddress(ProbeRoutes.HOST, apiPort));
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
        public void restart(CoreSession seen, String reason) {
            lock.lock();
            try {
                restartLocked(seen, reason);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void drain() {
            drainNow();
        }
    }
}
