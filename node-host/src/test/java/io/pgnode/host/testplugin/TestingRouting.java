package io.pgnode.host.testplugin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.BalancerInfo;
import io.pgnode.spi.RouteResult;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.Routing;
import io.pgnode.spi.RoutingRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The testing backend's routing: rules kept in memory as a core would keep them, so tests can tell what the node
 * asked. The fake core has the outbounds {@code direct} and {@code block} and the balancer {@code balancer}; a rule
 * sending anywhere else, a taken rule tag or JSON that is not an object is refused with INVALID_REQUEST.
 */
final class TestingRouting implements Routing {

    static final Set<String> OUTBOUNDS = Set.of("direct", "block");
    static final String BALANCER = "balancer";

    private final TestingJournal journal;
    private final List<RoutingRule> rules = new ArrayList<>(List.of(new RoutingRule("direct", "panel-rule")));
    private final Map<String, String> overrides = new ConcurrentHashMap<>();

    TestingRouting(TestingJournal journal) {
        this.journal = journal;
    }

    @Override
    public synchronized List<RoutingRule> rules() {
        journal.record("routing rules");
        return List.copyOf(rules);
    }

    @Override
    public synchronized void addRule(String ruleJson, boolean replaceAll) {
        journal.record("routing add " + ruleJson + " replaceAll=" + replaceAll);
        JsonNode rule;
        try {
            rule = new ObjectMapper().readTree(ruleJson);
        } catch (Exception e) {
            throw invalid("the rule is not JSON: " + e.getMessage());
        }
        if (rule == null || !rule.isObject()) {
            throw invalid("a rule is a JSON object");
        }
        String outbound = rule.path("outboundTag").asText(rule.path("balancerTag").asText(""));
        if (!OUTBOUNDS.contains(outbound) && !outbound.equals(BALANCER)) {
            throw invalid("the config has no outbound or balancer \"" + outbound + "\"");
        }
        String tag = rule.path("ruleTag").asText("");
        if (!replaceAll && !tag.isEmpty() && rules.stream().anyMatch(r -> r.ruleTag().equals(tag))) {
            throw invalid("a rule with ruleTag \"" + tag + "\" exists already");
        }
        if (replaceAll) {
            rules.clear();
        }
        rules.add(new RoutingRule(outbound, tag));
    }

    @Override
    public synchronized void removeRule(String ruleTag) {
        journal.record("routing remove " + ruleTag);
        if (ruleTag.isEmpty()) {
            throw invalid("removing a rule needs its rule tag");
        }
        rules.removeIf(rule -> rule.ruleTag().equals(ruleTag));
    }

    @Override
    public BalancerInfo balancerInfo(String balancerTag) {
        journal.record("routing balancer " + balancerTag);
        requireBalancer(balancerTag);
        return new BalancerInfo(overrides.getOrDefault(balancerTag, ""), List.of("direct", "block"));
    }

    @Override
    public void overrideBalancerTarget(String balancerTag, String target) {
        journal.record("routing override " + balancerTag + " " + target);
        requireBalancer(balancerTag);
        if (target.isEmpty()) {
            overrides.remove(balancerTag);
        } else if (!OUTBOUNDS.contains(target)) {
            throw invalid("the config has no outbound \"" + target + "\"");
        } else {
            overrides.put(balancerTag, target);
        }
    }

    @Override
    public RouteResult testRoute(RouteTest test) {
        journal.record("routing test " + test);
        if (!test.network().isEmpty() && !Set.of("tcp", "udp").contains(test.network())) {
            throw invalid("network must be tcp or udp, not \"" + test.network() + "\"");
        }
        String outbound = test.targetDomain().endsWith(".blocked") ? "block" : "direct";
        return new RouteResult(outbound, List.of(), test.inboundTag(), test.network(), test.targetDomain());
    }

    private static void requireBalancer(String balancerTag) {
        if (!balancerTag.equals(BALANCER)) {
            throw new BackendException(BackendException.Kind.NOT_FOUND, "no balancer \"" + balancerTag + "\"");
        }
    }

    private static BackendException invalid(String message) {
        return new BackendException(BackendException.Kind.INVALID_REQUEST, message);
    }
}
