package io.pgnode.plugin.xray.latency;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How the node's probes reach each outbound: one SOCKS inbound the node adds on a loopback address of its own
 * ({@link #HOST}), and one routing rule per probed outbound that sends what comes from that outbound's own source
 * address (127.77.x.y, bound by the probe) to it. The rules come before the panel's, so no panel rule catches a
 * probe. The inbound's counters are never reported, like the API inbound's.
 *
 * <p>Probed are the outbounds that carry traffic to the outside: every tagged outbound but blackhole, dns and
 * loopback ones.
 */
public final class ProbeRoutes {

    /** The probe inbound's address: not the API's 127.0.0.1, so that it can share the API's free port. */
    public static final String HOST = "127.0.0.2";
    private static final Set<String> INSIDE = Set.of("blackhole", "dns", "loopback");
    private static final int FIRST_SOURCE = 1;
    private static final int MAX_PROBED = 65_000;

    private final String inboundTag;
    private final Set<String> outbounds;
    /** Probed outbound → the source address its probes bind, in config order. */
    private final Map<String, InetAddress> sources;
    private final Map<String, String> protocols;

    private ProbeRoutes(String inboundTag, Set<String> outbounds, Map<String, InetAddress> sources,
            Map<String, String> protocols) {
        this.inboundTag = inboundTag;
        this.outbounds = Set.copyOf(outbounds);
        this.sources = sources;
        this.protocols = Map.copyOf(protocols);
    }

    /**
     * The routes for the outbounds of the panel's config.
     *
     * @param root the panel's config
     * @param inboundTag the probe inbound's tag, one the panel's config does not use
     */
    public static ProbeRoutes of(JsonNode root, String inboundTag) {
        requireNonNull(inboundTag, "inboundTag is null");
        Set<String> outbounds = new LinkedHashSet<>();
        Map<String, String> protocols = new LinkedHashMap<>();
        Map<String, InetAddress> sources = new LinkedHashMap<>();
        for (JsonNode outbound : root.path("outbounds")) {
            String tag = outbound.path("tag").asText("");
            if (tag.isEmpty() || !outbounds.add(tag)) {
                continue;
            }
            String protocol = outbound.path("protocol").asText("").toLowerCase(Locale.ROOT);
            protocols.put(tag, protocol);
            if (!INSIDE.contains(protocol) && sources.size() < MAX_PROBED) {
                sources.put(tag, source(FIRST_SOURCE + sources.size()));
            }
        }
        return new ProbeRoutes(inboundTag, outbounds, sources, protocols);
    }

    private static InetAddress source(int index) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 77, (byte) (index >> 8), (byte) index});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    /** The probe inbound's tag. */
    public String inboundTag() {
        return inboundTag;
    }

    /** The outbounds that are probed, in config order. */
    public List<String> probed() {
        return List.copyOf(sources.keySet());
    }

    /** Whether the config has an outbound with this tag (probed or not). */
    public boolean hasOutbound(String tag) {
        return outbounds.contains(tag);
    }

    /** The protocol of a tagged outbound ("" when unknown). */
    public String protocol(String tag) {
        return protocols.getOrDefault(tag, "");
    }

    /** The source address a probe of this outbound binds. */
    InetAddress source(String tag) {
        InetAddress source = sources.get(tag);
        if (source == null) {
            throw new IllegalArgumentException("outbound " + tag + " is not probed");
        }
        return source;
    }

    /** The probe inbound, on {@link #HOST} and the given port; none when no outbound is probed. */
    public List<ObjectNode> inbounds(int port) {
        if (sources.isEmpty()) {
            return List.of();
        }
        ObjectNode inbound = JsonNodeFactory.instance.objectNode()
                .put("tag", inboundTag)
                .put("listen", HOST)
                .put("port", port)
                .put("protocol", "socks");
        inbound.putObject("settings").put("auth", "noauth").put("udp", false);
        return List.of(inbound);
    }

    /** One rule per probed outbound, in config order. */
    public List<ObjectNode> rules() {
        List<ObjectNode> rules = new ArrayList<>();
        sources.forEach((tag, source) -> {
            ObjectNode rule = JsonNodeFactory.instance.objectNode().put("type", "field");
            rule.putArray("inboundTag").add(inboundTag);
            rule.putArray("source").add(source.getHostAddress());
            rule.put("outboundTag", tag);
            rules.add(rule);
        });
        return rules;
    }
}
