package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Channel;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.Routing;
import io.pgnode.spi.RoutingRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Xray backend's routing, for both cores. The rules are the node's ({@link RuleTable}): listing never asks the
 * core. A change is checked ({@link RuleReader}), then applied: on Xray live through its RoutingService, with the
 * router config built by the node ({@link RouterConfigEncoder}); where the rule cannot be sent live, the release
 * lacks the call, or the core is v2fly (no routing API), by restarting the core with the new rules in its config
 * (users and counters intact; the backend logs the restart). A change the core refuses leaves the rules as they were.
 * Route tests and balancers are the RoutingService's own answers, Xray only.
 */
public final class RoutingControl implements Routing {

    private static final Logger log = LoggerFactory.getLogger(RoutingControl.class);

    /** What routing needs of the backend. */
    public interface Core {
        /**
         * Runs {@code change} under the backend's lock, so that no restart, user sync or other change runs meanwhile.
         *
         * @throws BackendException when the backend does not serve (closed, suspended)
         */
        <T> T exclusively(Supplier<T> change);

        /** The running core's API channel; empty while the core is down (its next start renders the rules). */
        Optional<Channel> api();

        /**
         * Restarts the core with a config rendered from the current rules. Called under {@link #exclusively}.
         *
         * @throws BackendException when the new core does not come up ({@code INVALID_CONFIG}: it refused the config)
         */
        void restart(String reason);

        /** The node's own rules, which come before the panel's in every config (its API, its latency probes). */
        List<RuleDefinition> nodeRules();
    }

    private final RuleTable table;
    private final RuleReader reader;
    private final Optional<RouterConfigEncoder> live;
    private final List<JsonNode> balancers;
    private final RouterQueries queries;
    private final String coreName;
    private final Core core;
    /** Set once the release turned out to lack AddRule or RemoveRule: changes go by restart from then on. */
    private volatile boolean liveChangesMissing;

    private RoutingControl(RuleTable table, RuleReader reader, Optional<RouterConfigEncoder> live,
            List<JsonNode> balancers, RouterQueries queries, String coreName, Core core) {
        this.table = requireNonNull(table, "table is null");
        this.reader = requireNonNull(reader, "reader is null");
        this.live = live;
        this.balancers = List.copyOf(balancers);
        this.queries = requireNonNull(queries, "queries is null");
        this.coreName = requireNonNull(coreName, "coreName is null");
        this.core = requireNonNull(core, "core is null");
    }

    /**
     * Routing of an Xray core, live where it can be.
     *
     * @param table the rules, shared with the config renderer
     * @param version the core's version, e.g. "26.7.28": its router's layout ({@link RouterDialect})
     */
    public static RoutingControl xray(RuleTable table, RoutingConfig config, String version, Core core) {
        return new RoutingControl(table, new RuleReader(config.outboundTags(), config.balancerTags(), true),
                Optional.of(new RouterConfigEncoder(RouterDialect.ofXray(version))), config.balancers(),
                queries(config), "Xray " + version, core);
    }

    /** Routing of a v2fly core: every change restarts it; no route tests or balancer calls. */
    public static RoutingControl v2fly(RuleTable table, RoutingConfig config, String version, Core core) {
        return new RoutingControl(table, new RuleReader(config.outboundTags(), config.balancerTags(), false),
                Optional.empty(), List.of(), queries(config), "V2Ray " + version, core);
    }

    private static RouterQueries queries(RoutingConfig config) {
        return new RouterQueries(config.balancerTags(), config.outboundTags(), config.firstOutbound());
    }

    @Override
    public List<RoutingRule> rules() {
        List<RoutingRule> listed = new ArrayList<>();
        table.rules().forEach(rule -> listed.add(rule.listed()));
        return listed;
    }

    @Override
    public void addRule(String ruleJson, boolean replaceAll) {
        RuleDefinition rule = reader.read(ruleJson);
        core.exclusively(() -> {
            List<RuleDefinition> before = table.rules();
            if (!replaceAll && !rule.ruleTag().isEmpty()
                    && before.stream().anyMatch(existing -> existing.ruleTag().equals(rule.ruleTag()))) {
                throw RuleReader.invalid("a rule with ruleTag \"" + rule.ruleTag() + "\" exists already; remove it"
                        + " first or give this one another tag");
            }
            List<RuleDefinition> after = new ArrayList<>(replaceAll ? List.of() : before);
            after.add(rule);
            String what = "routing rule " + describe(rule) + (replaceAll ? " replaced every rule" : " added");
            change(before, after, what, encoder -> replaceAll
                    ? replaceLive(encoder, before, after, what)
                    : appendLive(encoder, rule, what));
            return null;
        });
    }

    @Override
    public void removeRule(String ruleTag) {
        requireNonNull(ruleTag, "ruleTag is null");
        if (ruleTag.isEmpty()) {
            throw RuleReader.invalid("removing a rule needs its rule tag; an empty tag names no rule");
        }
        core.exclusively(() -> {
            List<RuleDefinition> before = table.rules();
            List<RuleDefinition> after = new ArrayList<>(before);
            if (!after.removeIf(rule -> rule.ruleTag().equals(ruleTag))) {
                return null; // a retried remove: nothing to do
            }
            String what = "routing rule \"" + ruleTag + "\" removed";
            change(before, after, what, encoder -> {
                router().removeRule(ruleTag);
                return true;
            });
            return null;
        });
    }

    /** A live change: true when it was made, false when it has to go by restart. */
    @FunctionalInterface
    private interface LiveChange {
        boolean apply(RouterConfigEncoder encoder);
    }

    /** Caller holds the backend's lock. */
    private void change(List<RuleDefinition> before, List<RuleDefinition> after, String what, LiveChange change) {
        Optional<Channel> api = core.api();
        if (live.isPresent() && !liveChangesMissing && api.isPresent()) {
            try {
                if (change.apply(live.get())) {
                    table.replace(after);
                    log.info("{} live through the core's RoutingService; {} rules", what, after.size());
                    return;
                }
            } catch (RoutingServiceClient.CoreRefusal e) {
                if (e.kind() != BackendException.Kind.UNSUPPORTED) {
                    throw e;
                }
                liveChangesMissing = true;
                log.warn("{} has no live rule changes ({}): routing changes restart the core from now on", coreName,
                        e.getMessage());
            }
        } else if (api.isEmpty()) {
            table.replace(after);
            log.info("{} while the core is down; it starts with {} rules", what, after.size());
            return;
        }
        restartWith(before, after, what);
    }

    private boolean appendLive(RouterConfigEncoder encoder, RuleDefinition rule, String what) {
        RouterConfigEncoder.Encoded config = encoder.config(List.of(rule), List.of());
        if (!config.live()) {
            log.info("{}: not live, as {}", what, config.notLiveBecause());
            return false;
        }
        try {
            router().addRule(config.config(), true);
        } catch (RoutingServiceClient.CoreRefusal e) {
            throw refused(e);
        }
        return true;
    }

    /**
     * Every rule at once: the core clears its rules and balancers, so the node's own rules and the config's balancers
     * go in again with the new rule, and the balancer overrides after them. Should the core refuse, the previous
     * rules are put back (live, or by restart).
     */
    private boolean replaceLive(RouterConfigEncoder encoder, List<RuleDefinition> before, List<RuleDefinition> after,
            String what) {
        RouterConfigEncoder.Encoded config = encoder.config(withNodeRules(after), balancers);
        RouterConfigEncoder.Encoded previous = encoder.config(withNodeRules(before), balancers);
        if (!config.live() || !previous.live()) {
            log.info("{}: not live, as {}", what, config.live() ? previous.notLiveBecause() : config.notLiveBecause());
            return false;
        }
        try {
            router().addRule(config.config(), false);
        } catch (RoutingServiceClient.CoreRefusal e) {
            if (!e.refusedByCore()) {
                throw e;
            }
            restorePrevious(previous, before);
            throw refused(e);
        }
        sendOverridesAgain(router());
        return true;
    }

    private void restorePrevious(RouterConfigEncoder.Encoded previous, List<RuleDefinition> before) {
        try {
            router().addRule(previous.config(), false);
            sendOverridesAgain(router());
        } catch (BackendException e) {
            log.warn("the core refused the new rules and then the previous ones ({}); restarting it with the previous"
                    + " rules", e.getMessage());
            table.replace(before);
            core.restart("the previous routing rules could not be put back live");
        }
    }

    private List<RuleDefinition> withNodeRules(List<RuleDefinition> rules) {
        List<RuleDefinition> all = new ArrayList<>(core.nodeRules());
        all.addAll(rules);
        return all;
    }

    /** Caller holds the lock. A restart the core does not survive brings the previous rules back. */
    private void restartWith(List<RuleDefinition> before, List<RuleDefinition> after, String what) {
        table.replace(after);
        try {
            core.restart(what);
        } catch (BackendException e) {
            table.replace(before);
            log.warn("{}: the core did not start with it ({}); starting it with the previous rules", what,
                    e.getMessage());
            try {
                core.restart("the routing change was refused; the previous rules are back");
            } catch (BackendException again) {
                log.error("the core did not start with the previous rules either: {}", again.getMessage());
            }
            if (e.kind() == BackendException.Kind.INVALID_CONFIG) {
                throw RuleReader.invalid("the core refused the config with this rule, which was not applied: "
                        + e.getMessage());
            }
            throw e;
        }
    }

    @Override
    public BalancerInfo balancerInfo(String balancerTag) {
        return queries.balancerInfo(router("balancer information"), balancerTag);
    }

    @Override
    public void overrideBalancerTarget(String balancerTag, String target) {
        core.exclusively(() -> {
            queries.overrideBalancerTarget(router("overriding a balancer's target"), balancerTag, target);
            return null;
        });
    }

    @Override
    public RouteResult testRoute(RouteTest test) {
        return queries.testRoute(router("testing a route"), test);
    }

    /**
     * A core was (re)started: it knows the rules (its config held them) but not the balancer overrides, which are
     * sent again. Called by the backend under its lock; a failure is logged.
     */
    public void coreStarted(Channel api) {
        if (live.isEmpty() || queries.overrides().isEmpty()) {
            return;
        }
        try {
            sendOverridesAgain(new RoutingServiceClient(api));
        } catch (BackendException e) {
            log.warn("could not set the balancer overrides on the new core: {}", e.getMessage());
        }
    }

    private void sendOverridesAgain(RoutingServiceClient router) {
        for (Map.Entry<String, String> override : queries.overrides().entrySet()) {
            router.overrideBalancerTarget(override.getKey(), override.getValue());
        }
    }

    private RoutingServiceClient router() {
        return router("routing control");
    }

    private RoutingServiceClient router(String ability) {
        if (live.isEmpty()) {
            throw new BackendException(BackendException.Kind.UNSUPPORTED, ability + " needs an Xray core's"
                    + " RoutingService; this node runs " + coreName + ", which has no routing API");
        }
        Channel api = core.api().orElseThrow(() -> new BackendException(BackendException.Kind.FAILURE,
                "the core is restarting; try again in a moment"));
        return new RoutingServiceClient(api);
    }

    private static BackendException refused(RoutingServiceClient.CoreRefusal e) {
        if (e.refusedByCore()) {
            return RuleReader.invalid("the core refused the rule, which was not applied: " + e.coreWords());
        }
        return e;
    }

    private static String describe(RuleDefinition rule) {
        return (rule.ruleTag().isEmpty() ? "(untagged)" : "\"" + rule.ruleTag() + "\"") + " to "
                + (rule.toBalancer() ? "balancer " : "") + "\"" + rule.target() + "\"";
    }
}
