package io.pgnode.plugin.wireguard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Panel configs and users of a WireGuard node, as the panel sends them. */
final class TestingWireguard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestingWireguard() {}

    /** The node's config: its interface on {@code 10.66.0.1/24}, no keepalive (tests count every byte). */
    static String config(String iface, String privateKey, int port, String testUrl) {
        ObjectNode config = JSON.createObjectNode()
                .put("interface_name", iface)
                .put("private_key", privateKey)
                .put("listen_port", port)
                .put("peer_keepalive_seconds", 0);
        config.putArray("address").add(TestingNetwork.NODE_TUNNEL_IP + "/24").add("fd66::1/64");
        config.putObject("latency").put("test_url", testUrl).put("timeout_seconds", 3);
        return config.toString();
    }

    /** The same config with a pre-shared key for every peer. */
    static String withPreSharedKey(String config, String preSharedKey) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(config);
            return node.put("pre_shared_key", preSharedKey).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A user who is a peer of {@code iface} with this key and these peer IPs. */
    static User peerUser(String email, String publicKey, String iface, String... peerIps) {
        return new User(email, wireguard(publicKey, peerIps), List.of(iface));
    }

    /** The panel's removal of a user: no inbounds. */
    static User removal(String email) {
        return new User(email, Proxies.NONE, List.of());
    }

    static Proxies wireguard(String publicKey, String... peerIps) {
        return new Proxies(null, null, null, null, new Proxies.Wireguard(publicKey, List.of(peerIps)), null);
    }

    /** The panel's wire form of a peer user. */
    static io.pgnode.proto.User panelPeer(String email, String publicKey, String iface, String... peerIps) {
        return io.pgnode.proto.User.newBuilder().setEmail(email)
                .setProxies(io.pgnode.proto.Proxy.newBuilder().setWireguard(io.pgnode.proto.Wireguard.newBuilder()
                        .setPublicKey(publicKey).addAllPeerIps(List.of(peerIps))))
                .addInbounds(iface)
                .build();
    }

    /** A UDP port for the node's interface: free on this machine too (the plugin checks it in its own namespace). */
    static int freeUdpPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(40000, 60000);
            try (DatagramSocket socket = new DatagramSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free UDP port");
    }
}
