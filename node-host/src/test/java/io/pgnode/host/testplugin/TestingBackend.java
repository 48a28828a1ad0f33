package io.pgnode.host.testplugin;

import io.pgnode.spi.Backend;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.Routing;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import io.pgnode.spi.User;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Keeps the user set in memory and answers stats from it, so tests can tell what it was asked. With
 * {@code traffic} in its config it is a fake core that counts that traffic once: stats with reset and drains
 * take it out, as a core's counters are.
 */
final class TestingBackend implements Backend {

    private final TestingConfig config;
    private final TestingJournal journal;
    private final LogSink logSink;
    private final UsageSink usage;
    private final Map<String, User> users = new ConcurrentSkipListMap<>();
    /** email → {uplink, downlink} the fake core counts; guarded by itself. */
    private final Map<String, long[]> traffic;
    private final TestingRouting routing;
    private volatile boolean running;

    TestingBackend(BackendContext context, TestingConfig config, TestingJournal journal) {
        this.config = config;
        this.journal = journal;
        this.logSink = context.logSink();
        this.usage = context.usage();
        this.traffic = config.traffic();
        this.routing = new TestingRouting(journal);
        context.users().forEach(user -> users.put(user.email(), user));
    }

    @Override
    public void checkConfig() {
        journal.record("checkConfig");
        config.failIfAsked("checkConfig");
    }

    @Override
    public boolean suspend() {
        if (!config.suspendable()) {
            return false;
        }
        journal.record("suspend");
        running = false;
        return true;
    }

    @Override
    public void resume() {
        journal.record("resume");
        config.failIfAsked("resume");
        running = true;
    }

    @Override
    public void drainUsage(Set<TrafficOwner> owners) {
        journal.record("drain " + owners);
        if (!owners.contains(TrafficOwner.USER)) {
            return;
        }
        Map<String, long[]> taken = new TreeMap<>();
        synchronized (traffic) {
            traffic.forEach((email, counted) -> {
                taken.put(email, counted.clone());
                counted[0] = 0;
                counted[1] = 0;
            });
        }
        awaitGate(config.drainGate()); // as a core's drain: out of the counters first, into the ledger after
        taken.forEach((email, counted) -> {
            usage.add(TrafficOwner.USER, email, Stat.UPLINK, counted[0]);
            usage.add(TrafficOwner.USER, email, Stat.DOWNLINK, counted[1]);
        });
    }

    @Override
    public void start() {
        journal.record("start tccl=" + (Thread.currentThread().getContextClassLoader() == getClass().getClassLoader()
                ? "plugin" : "other"));
        config.failIfAsked("start");
        config.startLogLines().forEach(logSink::accept);
        running = true;
    }

    @Override
    public void close() {
        running = false;
        journal.record("close");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public String coreVersion() {
        return config.coreVersion();
    }

    @Override
    public void syncUser(User user) {
        journal.record("syncUser " + user.email() + " inbounds=" + user.inbounds() + " " + user.proxies());
        config.failIfAsked("syncUser");
        if (user.isRemoval()) {
            users.remove(user.email());
        } else {
            users.put(user.email(), user);
        }
    }

    @Override
    public void replaceUsers(Collection<User> replacement) {
        journal.record("replaceUsers " + replacement.stream().map(User::email).toList());
        config.failIfAsked("replaceUsers");
        users.clear();
        replacement.forEach(user -> users.put(user.email(), user));
    }

    @Override
    public List<Stat> stats(StatQuery query) {
        journal.record("stats " + query.scope() + " name=" + query.name() + " reset=" + query.reset());
        config.failIfAsked("stats");
        awaitGate(config.statsGate());
        if (!traffic.isEmpty() && (query.scope() == StatQuery.Scope.USERS || query.scope() == StatQuery.Scope.USER)) {
            return countedTraffic(query);
        }
        List<Stat> stats = switch (query.scope()) {
            case USERS -> userStats();
            case USER -> userStats().stream().filter(s -> s.name().equals(query.name())).toList();
            case INBOUNDS -> inboundStats();
            case INBOUND -> inboundStats().stream().filter(s -> s.name().equals(query.name())).toList();
            case OUTBOUNDS -> List.of(new Stat("direct", "uplink", "traffic", 7));
            case OUTBOUND -> query.name().equals("direct") ? List.of(new Stat("direct", "uplink", "traffic", 7)) : List.of();
        };
        if (query.scope().isSingle() && stats.isEmpty()) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "no counters for " + query.name());
        }
        return stats;
    }

    @Override
    public long onlineCount(String email) {
        journal.record("onlineCount " + email);
        if (!config.abilities()) {
            return Backend.super.onlineCount(email);
        }
        config.failIfAsked("onlineCount");
        return known(email).inbounds().size();
    }

    @Override
    public Map<String, Long> onlineIps(String email) {
        journal.record("onlineIps " + email);
        if (!config.abilities()) {
            return Backend.super.onlineIps(email);
        }
        config.failIfAsked("onlineIps");
        Map<String, Long> ips = new TreeMap<>();
        for (int i = 1; i <= known(email).inbounds().size(); i++) {
            ips.put("10.0.0." + i, 1_700_000_000L + i);
        }
        return ips;
    }

    @Override
    public RuntimeStats runtimeStats() {
        journal.record("runtimeStats");
        if (!config.abilities()) {
            return Backend.super.runtimeStats();
        }
        config.failIfAsked("runtimeStats");
        return new RuntimeStats(users.size(), 3, 1000, 2000, 3000, 40, 30, 10, 500, 42);
    }

    @Override
    public List<OutboundLatency> outboundLatencies(String outboundName) {
        journal.record("latency " + outboundName);
        if (outboundName.startsWith("say:")) {
            logSink.accept(outboundName.substring("say:".length()));
            return List.of();
        }
        if (!config.abilities()) {
            return Backend.super.outboundLatencies(outboundName);
        }
        config.failIfAsked("latency");
        return List.of(new OutboundLatency("direct", true, 12, "https://example.com", 1_700_000_100L, 1_700_000_200L,
                "testing"));
    }

    @Override
    public Routing routing() {
        if (!config.abilities()) {
            return Backend.super.routing();
        }
        return routing;
    }

    private List<Stat> countedTraffic(StatQuery query) {
        List<Stat> stats = new ArrayList<>();
        synchronized (traffic) {
            traffic.forEach((email, counted) -> {
                if (query.scope() == StatQuery.Scope.USERS || email.equals(query.name())) {
                    stats.add(new Stat(email, Stat.UPLINK, Stat.TRAFFIC, counted[0]));
                    stats.add(new Stat(email, Stat.DOWNLINK, Stat.TRAFFIC, counted[1]));
                    if (query.reset()) {
                        counted[0] = 0;
                        counted[1] = 0;
                    }
                }
            });
        }
        if (query.scope().isSingle() && stats.isEmpty()) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "no counters for " + query.name());
        }
        return stats;
    }

    /** With a gate (a port; 0: none): waits until the test sends a byte to the gate's port (at most a minute). */
    private static void awaitGate(int port) {
        if (port == 0) {
            return;
        }
        try (Socket gate = new Socket(InetAddress.getLoopbackAddress(), port)) {
            gate.setSoTimeout(60_000);
            InputStream in = gate.getInputStream();
            if (in.read() < 0) {
                throw new IllegalStateException("the gate on port " + port + " closed without opening");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the gate on port " + port + " failed", e);
        }
    }

    private User known(String email) {
        User user = users.get(email);
        if (user == null) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, email + " is not online");
        }
        return user;
    }

    private List<Stat> userStats() {
        List<Stat> stats = new ArrayList<>();
        users.values().forEach(user -> stats.add(new Stat(user.email(), "uplink", "traffic", 100L * user.inbounds().size())));
        return stats;
    }

    private List<Stat> inboundStats() {
        Map<String, Long> perInbound = new TreeMap<>();
        users.values().forEach(user -> user.inbounds().forEach(tag -> perInbound.merge(tag, 1L, Long::sum)));
        List<Stat> stats = new ArrayList<>();
        perInbound.forEach((tag, count) -> stats.add(new Stat(tag, "downlink", "traffic", count)));
        return stats;
    }
}
