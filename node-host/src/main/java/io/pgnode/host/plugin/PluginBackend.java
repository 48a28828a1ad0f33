package io.pgnode.host.plugin;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.error.NodeException;
import io.pgnode.spi.Backend;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.Routing;
import io.pgnode.spi.RoutingRule;
import io.pgnode.spi.RuntimeStats;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plugin's {@link Backend} as the host calls it: every method runs under the plugin's class loader and
 * fails only with {@link NodeException}; answers are copied so the plugin cannot change them afterwards.
 */
public final class PluginBackend implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginBackend.class);

    private final Backend backend;
    private final PluginCalls calls;

    PluginBackend(Backend backend, PluginCalls calls) {
        this.backend = requireNonNull(backend, "backend is null");
        this.calls = requireNonNull(calls, "calls is null");
    }

    public void checkConfig() {
        calls.run("checking its config", backend::checkConfig);
    }

    public void start() {
        calls.run("starting", backend::start);
    }

    /** Whether the backend suspended itself (see {@link Backend#suspend()}). */
    public boolean suspend() {
        return calls.call("suspending", backend::suspend);
    }

    public void resume() {
        calls.run("resuming", backend::resume);
    }

    /** Stops the backend; a failure is logged, never thrown: the node goes on without it. */
    @Override
    public void close() {
        try {
            calls.run("stopping", backend::close);
        } catch (NodeException e) {
            log.warn("Stopping the backend did not finish cleanly: {}", e.getMessage());
        }
    }

    public boolean isRunning() {
        return calls.call("reporting whether it runs", backend::isRunning);
    }

    public String coreVersion() {
        return calls.call("reporting its core version", backend::coreVersion);
    }

    public void syncUser(User user) {
        calls.run("syncing a user", () -> backend.syncUser(user));
    }

    /** Hands over a read-only view of the users, not a copy: a full sync may carry 100,000 of them. */
    public void replaceUsers(Collection<User> users) {
        Collection<User> view = Collections.unmodifiableCollection(users);
        calls.run("replacing the user set", () -> backend.replaceUsers(view));
    }

    /** Hands the backend's stats to {@code sink} as the backend reads them (see {@link Backend#stats(StatQuery, Consumer)}). */
    public void stats(StatQuery query, Consumer<Stat> sink) {
        calls.run("reading traffic stats", () -> backend.stats(query, sink));
    }

    public void drainUsage(Set<TrafficOwner> owners) {
        calls.run("handing over its traffic counters", () -> backend.drainUsage(owners));
    }

    public long onlineCount(String email) {
        return calls.call("counting a user's online IPs", () -> backend.onlineCount(email));
    }

    public Map<String, Long> onlineIps(String email) {
        return Map.copyOf(calls.call("listing a user's online IPs", () -> backend.onlineIps(email)));
    }

    public RuntimeStats runtimeStats() {
        return calls.call("reading the core's runtime stats", backend::runtimeStats);
    }

    public List<OutboundLatency> outboundLatencies(String outboundName) {
        return List.copyOf(calls.call("measuring outbound latency", () -> backend.outboundLatencies(outboundName)));
    }

    public List<RoutingRule> routingRules() {
        return List.copyOf(calls.call("listing its routing rules", () -> routing().rules()));
    }

    public void addRoutingRule(String ruleJson, boolean replaceAll) {
        calls.run("adding a routing rule", () -> routing().addRule(ruleJson, replaceAll));
    }

    public void removeRoutingRule(String ruleTag) {
        calls.run("removing a routing rule", () -> routing().removeRule(ruleTag));
    }

    public BalancerInfo balancerInfo(String balancerTag) {
        return calls.call("reading a balancer", () -> routing().balancerInfo(balancerTag));
    }

    public void overrideBalancerTarget(String balancerTag, String target) {
        calls.run("overriding a balancer's target", () -> routing().overrideBalancerTarget(balancerTag, target));
    }

    public RouteResult testRoute(RouteTest test) {
        return calls.call("testing a route", () -> routing().testRoute(test));
    }

    private Routing routing() {
        Routing routing = backend.routing();
        if (routing == null) {
            throw new IllegalStateException("routing() answered null");
        }
        return routing;
    }
}
