package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.spi.RoutingRule;

/**
 * One routing rule as the core's config holds it: its JSON (an element of {@code routing.rules}, kept as the panel
 * sent it) and what the node needs to know of it. Immutable: the JSON is a private copy.
 */
public final class RuleDefinition {

    private final ObjectNode json;
    private final String target;
    private final boolean toBalancer;
    private final String ruleTag;

    private RuleDefinition(ObjectNode json) {
        this.json = json;
        String outbound = json.path("outboundTag").asText("");
        // the cores take outboundTag first when a rule names both
        this.toBalancer = outbound.isEmpty() && !json.path("balancerTag").asText("").isEmpty();
        this.target = toBalancer ? json.path("balancerTag").asText() : outbound;
        this.ruleTag = json.path("ruleTag").asText("");
    }

    /** A rule of the panel's config, as sent: the core judges it when it starts. */
    public static RuleDefinition of(JsonNode rule) {
        requireNonNull(rule, "rule is null");
        if (!rule.isObject()) {
            throw new IllegalArgumentException("a rule is a JSON object");
        }
        return new RuleDefinition(((ObjectNode) rule).deepCopy());
    }

    /** The outbound the rule sends to, or its balancer's tag (empty when it names neither). */
    public String target() {
        return target;
    }

    /** Whether {@link #target()} is a balancer. */
    public boolean toBalancer() {
        return toBalancer;
    }

    /** The rule's own tag; empty when it has none. */
    public String ruleTag() {
        return ruleTag;
    }

    /** The rule's JSON for a config: a copy, with {@code "type": "field"} that v2fly requires and Xray ignores. */
    public ObjectNode toConfigJson() {
        ObjectNode copy = json.deepCopy();
        if (!copy.has("type")) {
            ObjectNode typed = copy.objectNode().put("type", "field");
            typed.setAll(copy);
            return typed;
        }
        return copy;
    }

    /** A field of the rule's JSON (a missing node when absent); callers must not modify it. */
    JsonNode field(String name) {
        return json.path(name);
    }

    /** Whether the rule's JSON has this field. */
    boolean has(String name) {
        return json.has(name);
    }

    /** The field names of the rule's JSON. */
    Iterable<String> fieldNames() {
        return json::fieldNames;
    }

    /** The rule as the panel lists it. */
    public RoutingRule listed() {
        return new RoutingRule(target, ruleTag);
    }

    @Override
    public String toString() {
        return json.toString();
    }
}
