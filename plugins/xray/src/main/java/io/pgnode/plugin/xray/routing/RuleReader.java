package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgnode.spi.BackendException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a rule the panel adds at runtime (the JSON of one element of {@code routing.rules}) and refuses, with a
 * sentence naming the problem, what the running core would refuse or silently misread: JSON that is not one object,
 * a field the core does not know, a value of the wrong form or out of range, an outbound or balancer the config
 * lacks. The core has the last word on the rest (a Go regular expression the JDK takes, a geo list its files lack).
 */
public final class RuleReader {

    /** Comments allowed, as the cores read their configs; nothing after the rule's object. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> NETWORKS = Set.of("tcp", "udp");
    private static final Set<String> XRAY_NETWORKS = Set.of("tcp", "udp", "unix");
    private static final Set<String> PROTOCOLS = Set.of("http", "tls", "quic", "bittorrent");

    /** The fields of a rule in v2fly 4.34's config loader (ruleTag is the node's: v2fly ignores it). */
    private static final Set<String> V2FLY_FIELDS = Set.of("type", "ruleTag", "outboundTag", "balancerTag", "domain",
            "domains", "ip", "port", "network", "source", "sourcePort", "user", "inboundTag", "protocol", "attrs");
    /** The fields of a rule in Xray's config loader (26.x; domainMatcher of older releases included). */
    private static final Set<String> XRAY_FIELDS = Set.of("type", "ruleTag", "outboundTag", "balancerTag", "domain",
            "domains", "ip", "port", "network", "source", "sourceIP", "sourcePort", "user", "inboundTag", "protocol",
            "attrs", "localIP", "localPort", "vlessRoute", "process", "localOS", "webhook", "domainMatcher");

    /** The fields a rule matches connections on; a rule needs one. */
    private static final Set<String> CONDITIONS = Set.of("domain", "domains", "ip", "port", "network", "source",
            "sourceIP", "sourcePort", "user", "inboundTag", "protocol", "attrs", "localIP", "localPort", "vlessRoute",
            "process", "localOS");

    private final Set<String> outboundTags;
    private final Set<String> balancerTags;
    private final boolean xray;

    /**
     * @param outboundTags the outbounds of the panel's config
     * @param balancerTags the balancers of the panel's config
     * @param xray whether the core is Xray (else v2fly, whose loader knows fewer fields and forms)
     */
    public RuleReader(Set<String> outboundTags, Set<String> balancerTags, boolean xray) {
        this.outboundTags = Set.copyOf(outboundTags);
        this.balancerTags = Set.copyOf(balancerTags);
        this.xray = xray;
    }

    /**
     * The rule, checked.
     *
     * @throws BackendException {@code INVALID_REQUEST} naming the problem
     */
    public RuleDefinition read(String ruleJson) {
        requireNonNull(ruleJson, "ruleJson is null");
        JsonNode tree;
        try {
            tree = JSON.readTree(ruleJson);
        } catch (JsonProcessingException e) {
            throw invalid("the rule is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw invalid("a rule is one JSON object, the shape of an element of routing.rules; got "
                    + (tree == null ? "nothing" : tree.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        RuleDefinition rule = RuleDefinition.of(tree);
        try {
            check(rule);
        } catch (IllegalArgumentException e) {
            throw invalid("the rule cannot be applied: " + e.getMessage());
        }
        return rule;
    }

    private void check(RuleDefinition rule) {
        Set<String> known = xray ? XRAY_FIELDS : V2FLY_FIELDS;
        for (String field : rule.fieldNames()) {
            if (!known.contains(field)) {
                throw new IllegalArgumentException("an " + (xray ? "Xray" : "V2Ray") + " core knows no rule field \""
                        + field + "\" (it takes " + new TreeSet<>(known) + ")");
            }
        }
        checkTarget(rule);
        if (rule.has("type") && !"field".equals(rule.field("type").asText(null))) {
            throw new IllegalArgumentException("\"type\" must be \"field\", not " + rule.field("type"));
        }
        if (rule.has("ruleTag") && !rule.field("ruleTag").isTextual()) {
            throw new IllegalArgumentException("\"ruleTag\" must be a string, not " + rule.field("ruleTag"));
        }
        for (String field : List.of("domain", "domains")) {
            if (rule.has(field)) {
                RuleFields.strings(field, rule.field(field)).forEach(entry -> RuleFields.domain(field, entry, xray));
            }
        }
        for (String field : List.of("ip", "source", "sourceIP", "localIP")) {
            if (rule.has(field)) {
                RuleFields.strings(field, rule.field(field)).forEach(entry -> RuleFields.ip(field, entry));
            }
        }
        for (String field : List.of("port", "sourcePort", "localPort", "vlessRoute")) {
            if (rule.has(field)) {
                RuleFields.ports(field, rule.field(field));
            }
        }
        if (rule.has("network")) {
            Set<String> networks = xray ? XRAY_NETWORKS : NETWORKS;
            for (String network : RuleFields.strings("network", rule.field("network"))) {
                if (!networks.contains(network.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("\"network\" has \"" + network + "\"; a rule matches "
                            + String.join(", ", new TreeSet<>(networks)));
                }
            }
        }
        if (rule.has("protocol")) {
            for (String protocol : RuleFields.strings("protocol", rule.field("protocol"))) {
                if (!PROTOCOLS.contains(protocol)) {
                    throw new IllegalArgumentException("\"protocol\" has \"" + protocol + "\"; the cores sniff "
                            + String.join(", ", new TreeSet<>(PROTOCOLS)));
                }
            }
        }
        for (String field : List.of("user", "inboundTag", "process", "localOS")) {
            if (rule.has(field)) {
                RuleFields.strings(field, rule.field(field));
            }
        }
        if (rule.has("attrs")) {
            checkAttributes(rule.field("attrs"));
        }
        if (CONDITIONS.stream().noneMatch(field -> effective(rule, field))) {
            throw new IllegalArgumentException("it has no condition (both cores refuse a rule without effective"
                    + " fields); give at least one of " + new TreeSet<>(CONDITIONS));
        }
    }

    /** Whether the rule matches on this field: present and not empty (the cores ignore an empty list). */
    private static boolean effective(RuleDefinition rule, String field) {
        JsonNode value = rule.field(field);
        return !value.isMissingNode() && !value.isNull() && !(value.isContainerNode() && value.isEmpty())
                && !(value.isTextual() && value.asText().isEmpty());
    }

    private void checkTarget(RuleDefinition rule) {
        for (String field : List.of("outboundTag", "balancerTag")) {
            if (rule.has(field) && !rule.field(field).isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\" must be a string, not " + rule.field(field));
            }
        }
        boolean outbound = !rule.field("outboundTag").asText("").isEmpty();
        boolean balancer = !rule.field("balancerTag").asText("").isEmpty();
        if (outbound && balancer) {
            throw new IllegalArgumentException("it names both an outboundTag and a balancerTag; a rule sends to one");
        }
        if (!outbound && !balancer) {
            throw new IllegalArgumentException("it names neither an outboundTag nor a balancerTag");
        }
        if (outbound && !outboundTags.contains(rule.target())) {
            throw new IllegalArgumentException("the config has no outbound \"" + rule.target() + "\" (it has "
                    + new TreeSet<>(outboundTags) + ")");
        }
        if (balancer && !balancerTags.contains(rule.target())) {
            throw new IllegalArgumentException("the config has no balancer \"" + rule.target() + "\""
                    + (balancerTags.isEmpty() ? "" : " (it has " + new TreeSet<>(balancerTags) + ")"));
        }
    }

    /** Xray matches attributes by name and value; v2fly 4.34 takes one Starlark expression instead. */
    private void checkAttributes(JsonNode attributes) {
        if (!xray) {
            if (!attributes.isTextual()) {
                throw new IllegalArgumentException("\"attrs\" is a Starlark expression (a string) for a V2Ray 4.x core,"
                        + " not " + attributes);
            }
            return;
        }
        if (!attributes.isObject()) {
            throw new IllegalArgumentException("\"attrs\" must be an object of attribute names and values, not "
                    + attributes);
        }
        for (Map.Entry<String, JsonNode> attribute : (Iterable<Map.Entry<String, JsonNode>>) attributes::fields) {
            if (!attribute.getValue().isTextual()) {
                throw new IllegalArgumentException("\"attrs\" has " + attribute.getKey() + ": "
                        + attribute.getValue() + "; each value is a string");
            }
        }
    }

    /** The error of a rule that cannot be applied. */
    static BackendException invalid(String message) {
        return new BackendException(BackendException.Kind.INVALID_REQUEST, message);
    }
}
