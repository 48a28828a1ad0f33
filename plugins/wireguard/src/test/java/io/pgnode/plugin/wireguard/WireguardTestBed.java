package io.pgnode.plugin.wireguard;

import io.pgnode.proto.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real-tunnel network of this module's tests, for a test elsewhere (the distribution's) that runs a node of
 * its own: network namespaces with a node side and {@code clients} client peers (wireguard-go + wg), an HTTP
 * server at the node's tunnel address, the node's keys and port. The node is given {@link #nodeSettings()} (its
 * tools run inside the node's namespace) and started with {@link #config()} and {@link #user(String, int)}.
 * {@link #close()} ends every process the bed started, by pid, and deletes the namespaces.
 */
public final class WireguardTestBed implements AutoCloseable {

    private final TestingNetwork network;
    private final TestingKeys nodeKeys = TestingKeys.generate();
    private final String iface;
    private final int port = TestingWireguard.freeUdpPort();
    private final List<TestingClientPeer> peers = new ArrayList<>();

    private WireguardTestBed(TestingNetwork network) {
        this.network = network;
        this.iface = network.interfaceName("n");
    }

    /** Builds the namespaces, the HTTP server and {@code clients} client peers; fails in CI when a tool is missing. */
    public static WireguardTestBed create(Path temp, int clients) {
        WireguardTestBed bed = new WireguardTestBed(TestingNetwork.create(temp, clients));
        try {
            TestingNamespaceServer.start(bed.network, bed.network.nodeNamespace());
            for (int k = 1; k <= clients; k++) {
                bed.peers.add(TestingClientPeer.start(bed.network, k, bed.nodeKeys.publicKey(), bed.port));
            }
            return bed;
        } catch (RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    /** The WIREGUARD_*_PATH settings that make the node's plugin run its tools inside the node's namespace. */
    public Map<String, String> nodeSettings() {
        return network.nodeToolSettings();
    }

    /** The interface the node is to run. */
    public String interfaceName() {
        return iface;
    }

    /** The panel's config for the node's interface. */
    public String config() {
        String testUrl = "http://" + TestingNetwork.NODE_TUNNEL_IP + ":" + TestingNamespaceServer.PORT + "/generate_204";
        return TestingWireguard.config(iface, nodeKeys.privateKey(), port, testUrl);
    }

    /** The panel's user whose peer is client {@code k}. */
    public User user(String email, int k) {
        TestingClientPeer peer = peer(k);
        return TestingWireguard.panelPeer(email, peer.publicKey(), iface, peer.tunnelIp() + "/32");
    }

    /** Client {@code k} fetches {@code bytes} bytes from the node's side through the tunnel; returns what arrived. */
    public long fetch(int k, int bytes) {
        String url = "http://" + TestingNetwork.NODE_TUNNEL_IP + ":" + TestingNamespaceServer.PORT + "/bytes/" + bytes;
        TestingClientPeer.Fetch fetch = peer(k).fetch(url, Duration.ofSeconds(5));
        if (fetch.exitCode() != 0) {
            throw new AssertionError("client " + k + "'s fetch through the tunnel failed: " + fetch.output());
        }
        return fetch.bytes();
    }

    /** Bytes the node's interface received from client {@code k}'s peer and sent to it, as {@code wg show} has them. */
    public long[] nodeCountersOf(int k) {
        TestingNetwork.PeerCounters counters = network.nodeCounters(iface, peer(k).publicKey());
        return new long[] {counters.received(), counters.sent()};
    }

    /** The public keys the node's interface has as peers. */
    public List<String> peersOfTheNode() {
        return network.inNode(RealTools.WG.toString(), "show", iface, "peers").output().lines().toList();
    }

    /** Client {@code k}'s public key. */
    public String publicKey(int k) {
        return peer(k).publicKey();
    }

    /** Whether the node's namespace has the node's interface. */
    public boolean nodeHasInterface() {
        return network.nodeHasInterface(iface);
    }

    private TestingClientPeer peer(int k) {
        return peers.get(k - 1);
    }

    @Override
    public void close() {
        network.close();
    }
}
