package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.plugin.xray.latency.ProbeRoutes;
import io.pgnode.plugin.xray.routing.RoutingConfig;
import io.pgnode.plugin.xray.routing.RuleDefinition;
import io.pgnode.plugin.xray.routing.RuleTable;
import java.io.IOException;
import java.util.ArrayList;
import java.io.OutputStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders the config the core runs: the panel's JSON with every key it sent kept, plus what the node needs
 * (XRAY-API.md §8): an API inbound on a loopback port, the routing rule to the API, the {@code api},
 * {@code stats} and {@code policy} sections merged into the panel's, and the users in the {@code clients}
 * of their inbounds. Excluded and unmanaged inbounds are written as sent. The routing rules are the node's
 * current ones ({@link RuleTable}: the panel's plus those added at runtime), after the node's own: the API's and
 * those of its latency probes ({@link ProbeRoutes}, whose inbound shares the API's port on another loopback
 * address).
 *
 * <p>The output is streamed (JsonGenerator straight to the core's stdin): with 100,000 users the clients
 * lists never exist as one string or tree.
 */
final class XrayConfigRenderer {

    private static final Logger log = LoggerFactory.getLogger(XrayConfigRenderer.class);
    private static final String API_HOST = "127.0.0.1";

    private final PanelConfig config;
    private final CoreFlavor flavor;
    private final String apiInboundTag;
    private final RuleTable rules;
    private final ProbeRoutes probes;

    /** A renderer of the panel config's own rules, with probes of its outbounds (e.g. for a config check). */
    XrayConfigRenderer(PanelConfig config, CoreFlavor flavor) {
        this(config, flavor, new RuleTable(RoutingConfig.of(config.root()).rules()),
                ProbeRoutes.of(config.root(), config.probeInboundTag()));
    }

    /**
     * @param rules the routing rules to render (read at each rendering)
     * @param probes the latency probes' inbound and rules
     */
    XrayConfigRenderer(PanelConfig config, CoreFlavor flavor, RuleTable rules, ProbeRoutes probes) {
        this.config = requireNonNull(config, "config is null");
        this.flavor = requireNonNull(flavor, "flavor is null");
        this.apiInboundTag = config.apiInboundTag();
        this.rules = requireNonNull(rules, "rules is null");
        this.probes = requireNonNull(probes, "probes is null");
    }

    /** The tag of the node's own API inbound in the rendered config. */
    String apiInboundTag() {
        return apiInboundTag;
    }

    /** The node's own inbounds in the rendered config (its API's, its latency probes'): not the panel's counters. */
    Set<String> nodeInboundTags() {
        return config.nodeInboundTags();
    }

    /**
     * Writes the full config as JSON.
     *
     * @param apiPort the loopback port of the API inbound
     * @param users the users to inject; each goes into the inbounds its entry has accounts for
     */
    void write(OutputStream out, int apiPort, Collection<UserEntry> users) throws IOException {
        ObjectNode skeleton = skeleton(apiPort);
        try (JsonGenerator json = PanelConfig.JSON.createGenerator(out)) {
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = skeleton.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                json.writeFieldName(field.getKey());
                if (field.getKey().equals("inbounds")) {
                    writeInbounds(json, field.getValue(), apiPort, users);
                } else {
                    json.writeTree(field.getValue());
                }
            }
            json.writeEndObject();
        }
    }

    /** The panel's tree with the node's sections merged in; inbounds are completed while streaming. */
    ObjectNode skeleton(int apiPort) {
        ObjectNode root = config.root().deepCopy();
        if (!root.path("inbounds").isArray()) {
            root.putArray("inbounds");
        }

        ObjectNode api = child(root, "api");
        if (api.path("tag").asText("").isEmpty()) {
            api.put("tag", "api");
        }
        ArrayNode services = api.path("services").isArray() ? (ArrayNode) api.get("services") : api.putArray("services");
        Set<String> present = new HashSet<>();
        services.forEach(s -> present.add(s.asText().toLowerCase(Locale.ROOT)));
        flavor.apiServices(config.root()).stream().filter(s -> !present.contains(s.toLowerCase(Locale.ROOT)))
                .forEach(services::add);

        if (!root.has("stats")) {
            root.putObject("stats");
        }

        ObjectNode policy = child(root, "policy");
        ObjectNode level0 = child(child(policy, "levels"), String.valueOf(InboundAccount.LEVEL));
        level0.put("statsUserUplink", true);
        level0.put("statsUserDownlink", true);
        if (flavor.hasOnlineStats()) {
            level0.put("statsUserOnline", true);
        }
        ObjectNode system = child(policy, "system");
        for (String flag : List.of("statsInboundUplink", "statsInboundDownlink", "statsOutboundUplink",
                "statsOutboundDownlink")) {
            system.put(flag, true);
        }

        ArrayNode rendered = child(root, "routing").putArray("rules");
        nodeRules(api.get("tag").asText()).forEach(rendered::add);
        rules.rules().forEach(rule -> rendered.add(rule.toConfigJson()));
        return root;
    }

    /** The node's own rules, first in every config: to the API, then one per probed outbound. */
    List<RuleDefinition> nodeRules() {
        JsonNode tag = config.root().path("api").path("tag");
        List<RuleDefinition> nodeRules = new ArrayList<>();
        nodeRules(tag.asText("").isEmpty() ? "api" : tag.asText()).forEach(rule -> nodeRules.add(RuleDefinition.of(rule)));
        return nodeRules;
    }

    private List<ObjectNode> nodeRules(String apiTag) {
        List<ObjectNode> nodeRules = new ArrayList<>();
        ObjectNode rule = PanelConfig.JSON.createObjectNode().put("type", "field");
        rule.putArray("inboundTag").add(apiInboundTag);
        rule.put("outboundTag", apiTag);
        nodeRules.add(rule);
        nodeRules.addAll(probes.rules());
        return nodeRules;
    }

    private static ObjectNode child(ObjectNode parent, String name) {
        JsonNode node = parent.get(name);
        return node != null && node.isObject() ? (ObjectNode) node : parent.putObject(name);
    }

    private void writeInbounds(JsonGenerator json, JsonNode inbounds, int apiPort, Collection<UserEntry> users)
            throws IOException {
        json.writeStartArray();
        for (JsonNode inbound : inbounds) {
            ManagedInbound managed = config.managedInbounds().get(inbound.path("tag").asText(""));
            if (managed == null) {
                json.writeTree(inbound);
            } else {
                writeManagedInbound(json, (ObjectNode) inbound, managed, users);
            }
        }
        for (ObjectNode probe : probes.inbounds(apiPort)) {
            json.writeTree(probe);
        }
        // Last, so that once the API answers every inbound before it has started (the core starts them in order).
        json.writeStartObject();
        json.writeStringField("tag", apiInboundTag);
        json.writeStringField("listen", API_HOST);
        json.writeNumberField("port", apiPort);
        json.writeStringField("protocol", "dokodemo-door");
        json.writeObjectFieldStart("settings");
        json.writeStringField("address", API_HOST);
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndArray();
    }

    private void writeManagedInbound(JsonGenerator json, ObjectNode inbound, ManagedInbound managed,
            Collection<UserEntry> users) throws IOException {
        json.writeStartObject();
        boolean wroteSettings = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = inbound.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            json.writeFieldName(field.getKey());
            if (field.getKey().equals("settings")) {
                writeSettings(json, (ObjectNode) field.getValue(), managed, users);
                wroteSettings = true;
            } else {
                json.writeTree(field.getValue());
            }
        }
        if (!wroteSettings) {
            json.writeFieldName("settings");
            writeSettings(json, PanelConfig.JSON.createObjectNode(), managed, users);
        }
        json.writeEndObject();
    }

    private void writeSettings(JsonGenerator json, ObjectNode settings, ManagedInbound managed,
            Collection<UserEntry> users) throws IOException {
        if (managed.protocol() == InboundProtocol.SHADOWSOCKS && !flavor.canAlterLive(managed.protocol())) {
            writeSingleUserShadowsocks(json, settings, managed, users);
            return;
        }
        json.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("clients")) {
                json.writeFieldName(field.getKey());
                json.writeTree(field.getValue());
            }
        }
        json.writeArrayFieldStart("clients");
        JsonNode panelClients = settings.path("clients");
        if (panelClients.size() > 0) {
            // clients the panel put there itself stay, unless the node manages a user with the same email
            Set<String> managedEmails = new HashSet<>();
            for (UserEntry user : users) {
                if (user.accountIn(managed.tag()) != null) {
                    managedEmails.add(user.email());
                }
            }
            for (JsonNode client : panelClients) {
                if (!managedEmails.contains(client.path("email").asText(""))) {
                    json.writeTree(client);
                }
            }
        }
        for (UserEntry user : users) {
            InboundAccount account = user.accountIn(managed.tag());
            if (account != null) {
                json.writeStartObject();
                json.writeStringField("email", user.email());
                json.writeNumberField("level", InboundAccount.LEVEL);
                account.writeJsonFields(json);
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        json.writeEndObject();
    }

    /** v2fly's Shadowsocks inbound holds exactly one user, written straight into its settings. */
    private void writeSingleUserShadowsocks(JsonGenerator json, ObjectNode settings, ManagedInbound managed,
            Collection<UserEntry> users) throws IOException {
        UserEntry first = null;
        int members = 0;
        for (UserEntry user : users) {
            if (user.accountIn(managed.tag()) != null) {
                first = first == null ? user : first;
                members++;
            }
        }
        if (first == null) {
            json.writeTree(settings);
            return;
        }
        if (members > 1) {
            log.warn("inbound {} is Shadowsocks on a {} core, which serves one user: {} serves, {} other users do not",
                    managed.tag(), flavor.displayName(), first.email(), members - 1);
        }
        ObjectNode single = settings.deepCopy();
        InboundAccount.Shadowsocks account = (InboundAccount.Shadowsocks) first.accountIn(managed.tag());
        single.put("method", account.method());
        single.put("password", account.password());
        single.put("email", first.email());
        single.put("level", InboundAccount.LEVEL);
        json.writeTree(single);
    }
}
