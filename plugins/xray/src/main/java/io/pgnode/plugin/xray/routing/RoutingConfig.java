package io.pgnode.plugin.xray.routing;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.spi.BackendException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What routing takes from the panel's config: its rules, the outbounds and balancers rules may send to, and the
 * balancers' own JSON.
 *
 * @param rules the rules of {@code routing.rules}, in order
 * @param outboundTags the tags of {@code outbounds}
 * @param firstOutbound the first outbound's tag, where the core sends what no rule matches (empty: none or untagged)
 * @param balancerTags the tags of {@code routing.balancers}
 * @param balancers the JSON of {@code routing.balancers}
 */
public record RoutingConfig(List<RuleDefinition> rules, Set<String> outboundTags, String firstOutbound,
        Set<String> balancerTags, List<JsonNode> balancers) {

    public RoutingConfig {
        rules = List.copyOf(rules);
        outboundTags = Set.copyOf(outboundTags);
        balancerTags = Set.copyOf(balancerTags);
        balancers = balancers.stream().<JsonNode>map(JsonNode::deepCopy).toList();
    }

    /**
     * Reads the panel's config.
     *
     * @throws BackendException {@code INVALID_CONFIG} when {@code routing.rules} or {@code routing.balancers} is not
     *     an array of objects
     */
    public static RoutingConfig of(JsonNode root) {
        JsonNode routing = root.path("routing");
        List<RuleDefinition> rules = new ArrayList<>();
        for (JsonNode rule : array(routing, "rules")) {
            if (!rule.isObject()) {
                throw invalid("every entry of \"routing.rules\" must be a JSON object");
            }
            rules.add(RuleDefinition.of(rule));
        }
        Set<String> balancerTags = new LinkedHashSet<>();
        List<JsonNode> balancers = new ArrayList<>();
        for (JsonNode balancer : array(routing, "balancers")) {
            if (!balancer.isObject()) {
                throw invalid("every entry of \"routing.balancers\" must be a JSON object");
            }
            balancers.add(balancer);
            String tag = balancer.path("tag").asText("");
            if (!tag.isEmpty()) {
                balancerTags.add(tag);
            }
        }
        Set<String> outboundTags = new LinkedHashSet<>();
        String first = null;
        for (JsonNode outbound : root.path("outbounds")) {
            String tag = outbound.path("tag").asText("");
            first = first == null ? tag : first;
            if (!tag.isEmpty()) {
                outboundTags.add(tag);
            }
        }
        return new RoutingConfig(rules, outboundTags, first == null ? "" : first, balancerTags, balancers);
    }

    private static Iterable<JsonNode> array(JsonNode routing, String field) {
        JsonNode value = routing.path(field);
        if (!value.isMissingNode() && !value.isArray()) {
            throw invalid("\"routing." + field + "\" must be a JSON array");
        }
        return value;
    }

    private static BackendException invalid(String message) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG, message);
    }
}
