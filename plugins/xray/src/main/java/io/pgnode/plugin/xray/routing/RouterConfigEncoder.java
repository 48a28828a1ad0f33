package io.pgnode.plugin.xray.routing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.pgnode.plugin.xray.api.BalancingRule;
import io.pgnode.plugin.xray.api.CidrRule;
import io.pgnode.plugin.xray.api.DomainRule;
import io.pgnode.plugin.xray.api.GeoIpRule;
import io.pgnode.plugin.xray.api.GeoSiteRule;
import io.pgnode.plugin.xray.api.GeodataRouterConfig;
import io.pgnode.plugin.xray.api.GeodataRoutingRule;
import io.pgnode.plugin.xray.api.IpRule;
import io.pgnode.plugin.xray.api.LegacyGeoIp;
import io.pgnode.plugin.xray.api.LegacyRouterConfig;
import io.pgnode.plugin.xray.api.LegacyRoutingRule;
import io.pgnode.plugin.xray.api.PortList;
import io.pgnode.plugin.xray.api.PortRange;
import io.pgnode.plugin.xray.api.RouterCidr;
import io.pgnode.plugin.xray.api.RouterDomain;
import io.pgnode.plugin.xray.api.TypedMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the router config Xray's AddRule takes (a TypedMessage {@code xray.app.router.Config}) from rules' JSON, as
 * Xray's own config loader would build it, in the layout of the running release ({@link RouterDialect}). What the
 * loader would compute from files (geosite and geoip lists before 26.4.13) or fields the node does not send live
 * (localIP, localPort, vlessRoute, process, localOS, webhook) cannot be expressed: the answer says why, and the rule
 * is then applied by restarting the core with it in its config.
 */
final class RouterConfigEncoder {

    static final String CONFIG_TYPE = "xray.app.router.Config";
    private static final String LEAST_LOAD_SETTINGS_TYPE = "xray.app.router.StrategyLeastLoadConfig";
    private static final Set<String> NOT_SENT_LIVE = Set.of("localIP", "localPort", "vlessRoute", "process", "localOS",
            "webhook", "domainMatcher");
    private static final Map<String, Integer> NETWORKS = Map.of("tcp", 2, "udp", 3, "unix", 4);

    /**
     * A config for AddRule, or why there is none.
     *
     * @param config the TypedMessage; null when the rules cannot be sent live
     * @param notLiveBecause why not, as a clause for the log ("geosite lists are ...")
     */
    record Encoded(TypedMessage config, String notLiveBecause) {
        boolean live() {
            return config != null;
        }
    }

    private final RouterDialect dialect;

    RouterConfigEncoder(RouterDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect is null");
    }

    /**
     * The config holding these rules, in order, and these balancers (the JSON of {@code routing.balancers}; none for
     * an append, which keeps the core's).
     */
    Encoded config(List<RuleDefinition> rules, List<JsonNode> balancers) {
        try {
            List<BalancingRule> balancing = new ArrayList<>();
            for (JsonNode balancer : balancers) {
                balancing.add(balancer(balancer));
            }
            ByteString value;
            if (dialect.geodata()) {
                GeodataRouterConfig.Builder config = GeodataRouterConfig.newBuilder().addAllBalancingRule(balancing);
                for (RuleDefinition rule : rules) {
                    config.addRule(geodataRule(rule));
                }
                value = config.build().toByteString();
            } else {
                LegacyRouterConfig.Builder config = LegacyRouterConfig.newBuilder().addAllBalancingRule(balancing);
                for (RuleDefinition rule : rules) {
                    config.addRule(legacyRule(rule));
                }
                value = config.build().toByteString();
            }
            return new Encoded(TypedMessage.newBuilder().setType(CONFIG_TYPE).setValue(value).build(), "");
        } catch (NotLive e) {
            return new Encoded(null, e.getMessage());
        }
    }

    private GeodataRoutingRule geodataRule(RuleDefinition rule) {
        refuseFieldsNotSentLive(rule);
        GeodataRoutingRule.Builder out = GeodataRoutingRule.newBuilder();
        if (rule.toBalancer()) {
            out.setBalancingTag(rule.target());
        } else {
            out.setTag(rule.target());
        }
        out.setRuleTag(rule.ruleTag());
        // as Xray's loader: "domains" replaces "domain" when both are given
        String domainField = rule.has("domains") ? "domains" : "domain";
        if (rule.has(domainField)) {
            for (String entry : RuleFields.strings(domainField, rule.field(domainField))) {
                RuleFields.DomainEntry domain = RuleFields.domain(domainField, entry, true);
                out.addDomain(domain.match() == RuleFields.DomainMatch.LIST
                        ? DomainRule.newBuilder().setGeosite(GeoSiteRule.newBuilder().setFile(domain.list().file())
                                .setCode(domain.list().code()).setAttrs(domain.list().attributes())).build()
                        : DomainRule.newBuilder().setCustom(customDomain(domain)).build());
            }
        }
        if (rule.has("ip")) {
            out.addAllIp(ipRules("ip", rule.field("ip")));
        }
        String sourceField = rule.has("sourceIP") ? "sourceIP" : "source";
        if (rule.has(sourceField)) {
            out.addAllSourceIp(ipRules(sourceField, rule.field(sourceField)));
        }
        if (rule.has("port")) {
            out.setPortList(ports("port", rule.field("port")));
        }
        if (rule.has("sourcePort")) {
            out.setSourcePortList(ports("sourcePort", rule.field("sourcePort")));
        }
        if (rule.has("network")) {
            out.addAllNetworks(networks(rule.field("network")));
        }
        if (rule.has("user")) {
            out.addAllUserEmail(RuleFields.strings("user", rule.field("user")));
        }
        if (rule.has("inboundTag")) {
            out.addAllInboundTag(RuleFields.strings("inboundTag", rule.field("inboundTag")));
        }
        if (rule.has("protocol")) {
            out.addAllProtocol(RuleFields.strings("protocol", rule.field("protocol")));
        }
        if (rule.has("attrs")) {
            out.putAllAttributes(attributes(rule.field("attrs")));
        }
        return out.build();
    }

    private List<IpRule> ipRules(String field, JsonNode value) {
        List<IpRule> rules = new ArrayList<>();
        for (String entry : RuleFields.strings(field, value)) {
            RuleFields.IpEntry ip = RuleFields.ip(field, entry);
            rules.add(ip.list() != null
                    ? IpRule.newBuilder().setGeoip(GeoIpRule.newBuilder().setFile(ip.list().file())
                            .setCode(ip.list().code()).setReverseMatch(ip.reverse())).build()
                    : IpRule.newBuilder().setCustom(CidrRule.newBuilder().setCidr(cidr(ip.cidr()))
                            .setReverseMatch(ip.reverse())).build());
        }
        return rules;
    }

    private LegacyRoutingRule legacyRule(RuleDefinition rule) {
        refuseFieldsNotSentLive(rule);
        if (rule.has("sourceIP")) {
            throw new NotLive("sourceIP is newer than this Xray release's router");
        }
        LegacyRoutingRule.Builder out = LegacyRoutingRule.newBuilder();
        if (rule.toBalancer()) {
            out.setBalancingTag(rule.target());
        } else {
            out.setTag(rule.target());
        }
        if (dialect.ruleTagField() == 18) {
            out.setRuleTagBefore25829(rule.ruleTag());
        } else {
            out.setRuleTag(rule.ruleTag());
        }
        for (String field : List.of("domain", "domains")) {
            if (rule.has(field)) {
                for (String entry : RuleFields.strings(field, rule.field(field))) {
                    RuleFields.DomainEntry domain = RuleFields.domain(field, entry, true);
                    if (domain.match() == RuleFields.DomainMatch.LIST) {
                        throw new NotLive("\"" + entry + "\" is a list that Xray releases before 26.4.13 read from"
                                + " their geo files only when they load a config");
                    }
                    out.addDomain(customDomain(domain));
                }
            }
        }
        if (rule.has("ip")) {
            out.addGeoip(legacyAddresses("ip", rule.field("ip")));
        }
        if (rule.has("source")) {
            out.addSourceGeoip(legacyAddresses("source", rule.field("source")));
        }
        if (rule.has("port")) {
            out.setPortList(ports("port", rule.field("port")));
        }
        if (rule.has("sourcePort")) {
            out.setSourcePortList(ports("sourcePort", rule.field("sourcePort")));
        }
        if (rule.has("network")) {
            out.addAllNetworks(networks(rule.field("network")));
        }
        if (rule.has("user")) {
            out.addAllUserEmail(RuleFields.strings("user", rule.field("user")));
        }
        if (rule.has("inboundTag")) {
            out.addAllInboundTag(RuleFields.strings("inboundTag", rule.field("inboundTag")));
        }
        if (rule.has("protocol")) {
            out.addAllProtocol(RuleFields.strings("protocol", rule.field("protocol")));
        }
        if (rule.has("attrs")) {
            out.putAllAttributes(attributes(rule.field("attrs")));
        }
        return out.build();
    }

    /** Before 26.4.13 a field's own ranges are one GeoIP without a country code. */
    private static LegacyGeoIp legacyAddresses(String field, JsonNode value) {
        LegacyGeoIp.Builder ranges = LegacyGeoIp.newBuilder();
        for (String entry : RuleFields.strings(field, value)) {
            RuleFields.IpEntry ip = RuleFields.ip(field, entry);
            if (ip.list() != null) {
                throw new NotLive("\"" + entry + "\" is a list that Xray releases before 26.4.13 read from their geo"
                        + " files only when they load a config");
            }
            if (ip.reverse()) {
                throw new NotLive("\"" + entry + "\" is a reversed range, which Xray's router took only for geoip"
                        + " lists before 26.4.13");
            }
            ranges.addCidr(cidr(ip.cidr()));
        }
        return ranges.build();
    }

    private static void refuseFieldsNotSentLive(RuleDefinition rule) {
        for (String field : rule.fieldNames()) {
            if (NOT_SENT_LIVE.contains(field)) {
                throw new NotLive("the node sends no \"" + field + "\" through the core's API");
            }
        }
    }

    private static RouterDomain customDomain(RuleFields.DomainEntry domain) {
        return RouterDomain.newBuilder().setType(domain.match().number()).setValue(domain.value()).build();
    }

    private static RouterCidr cidr(RuleFields.Cidr cidr) {
        return RouterCidr.newBuilder().setIp(ByteString.copyFrom(cidr.address())).setPrefix(cidr.prefix()).build();
    }

    private static PortList ports(String field, JsonNode value) {
        PortList.Builder ports = PortList.newBuilder();
        for (RuleFields.Range range : RuleFields.ports(field, value)) {
            ports.addRange(PortRange.newBuilder().setFrom(range.from()).setTo(range.to()));
        }
        return ports.build();
    }

    private static List<Integer> networks(JsonNode value) {
        List<Integer> networks = new ArrayList<>();
        for (String network : RuleFields.strings("network", value)) {
            networks.add(NETWORKS.getOrDefault(network.toLowerCase(Locale.ROOT), 0));
        }
        return networks;
    }

    private static Map<String, String> attributes(JsonNode value) {
        Map<String, String> attributes = new java.util.LinkedHashMap<>();
        value.fields().forEachRemaining(entry -> attributes.put(entry.getKey(), entry.getValue().asText()));
        return attributes;
    }

    /** A balancer of the panel's config, as Xray's loader builds it; a strategy with settings is not sent live. */
    private static BalancingRule balancer(JsonNode balancer) {
        String tag = balancer.path("tag").asText("");
        String strategy = balancer.path("strategy").path("type").asText("").toLowerCase(Locale.ROOT);
        JsonNode settings = balancer.path("strategy").path("settings");
        boolean noSettings = settings.isMissingNode() || settings.isNull() || (settings.isObject() && settings.isEmpty());
        BalancingRule.Builder out = BalancingRule.newBuilder()
                .setTag(tag)
                .setStrategy(strategy.isEmpty() ? "random" : strategy)
                .setFallbackTag(balancer.path("fallbackTag").asText(""));
        if (balancer.has("selector")) {
            out.addAllOutboundSelector(RuleFields.strings("selector", balancer.path("selector")));
        }
        switch (out.getStrategy()) {
            case "random", "leastping", "roundrobin" -> {
                if (!noSettings) {
                    throw new NotLive("balancer \"" + tag + "\" has strategy settings");
                }
            }
            case "leastload" -> {
                if (!noSettings) {
                    throw new NotLive("balancer \"" + tag + "\" has strategy settings");
                }
                out.setStrategySettings(TypedMessage.newBuilder().setType(LEAST_LOAD_SETTINGS_TYPE));
            }
            default -> throw new NotLive("balancer \"" + tag + "\" has the strategy \"" + strategy
                    + "\", unknown to the node");
        }
        return out.build();
    }

    /** A rule or balancer the core's API cannot take from the node. */
    private static final class NotLive extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotLive(String reason) {
            super(reason, null, false, false);
        }
    }
}
