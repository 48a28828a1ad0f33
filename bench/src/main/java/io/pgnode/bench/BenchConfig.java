package io.pgnode.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The panel's config for the benchmarks: VMess, VLESS and Trojan inbounds on free loopback ports.
 *
 * @param vmessPort the vmess inbound's port
 * @param vlessPort the vless inbound's port
 * @param trojanPort the trojan inbound's port
 */
record BenchConfig(int vmessPort, int vlessPort, int trojanPort) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> TAGS = List.of("vmess-in", "vless-in", "trojan-in");

    static BenchConfig onFreePorts() {
        return new BenchConfig(freePort(), freePort(), freePort());
    }

    /** A config as a panel sends it (no users: the node injects them), on new free ports. */
    static String panelConfig() {
        return onFreePorts().json();
    }

    /** The config as a panel sends it: no users (the node injects them). */
    String json() {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("log").put("loglevel", "warning");
        ArrayNode inbounds = config.putArray("inbounds");
        inbound(inbounds, "vmess-in", vmessPort, "vmess");
        inbound(inbounds, "vless-in", vlessPort, "vless").put("decryption", "none");
        inbound(inbounds, "trojan-in", trojanPort, "trojan");
        config.putArray("outbounds").addObject().put("tag", "direct").put("protocol", "freedom");
        return config.toString();
    }

    /** Adds an inbound on loopback; answers its settings. */
    private static ObjectNode inbound(ArrayNode inbounds, String tag, int port, String protocol) {
        ObjectNode settings = inbounds.addObject().put("tag", tag).put("listen", "127.0.0.1").put("port", port)
                .put("protocol", protocol).putObject("settings");
        settings.putArray("clients");
        return settings;
    }

    /**
     * A port nothing listens on now, never one this JVM handed out before: the OS readily gives the same port to
     * two binds to port 0 in a row, and v2ray listens with SO_REUSEPORT, so two listeners given one port would
     * share its connections instead of one failing to start.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no port left that this JVM has not handed out");
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
}
