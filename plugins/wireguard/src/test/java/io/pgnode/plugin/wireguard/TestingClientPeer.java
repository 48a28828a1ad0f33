package io.pgnode.plugin.wireguard;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A user's WireGuard client in its own namespace: a real wireguard-go + wg, with the node as its one peer (endpoint
 * the node's veth address, allowed IPs the tunnel's 10.66.0.0/24), and curl to fetch through the tunnel.
 */
final class TestingClientPeer {

    private final TestingNetwork network;
    private final int k;
    private final String iface;
    private final TestingKeys keys;
    private final Path keyFile;
    private final String nodePublicKey;
    private final int nodePort;
    private final Process daemon;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private volatile Path preSharedKeyFile;

    private TestingClientPeer(TestingNetwork network, int k, TestingKeys keys, Path keyFile, String nodePublicKey,
            int nodePort, Process daemon) {
        this.network = network;
        this.k = k;
        this.iface = network.interfaceName("c" + k);
        this.keys = keys;
        this.keyFile = keyFile;
        this.nodePublicKey = nodePublicKey;
        this.nodePort = nodePort;
        this.daemon = daemon;
    }

    /** Creates client K's interface, up, with the node as its peer. */
    static TestingClientPeer start(TestingNetwork network, int k, String nodePublicKey, int nodePort) {
        TestingKeys keys = TestingKeys.generate();
        String iface = network.interfaceName("c" + k);
        Path keyFile = network.directory().resolve("client-" + k + ".key");
        try {
            Files.writeString(keyFile, keys.privateKey() + "\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Process daemon = network.spawn(network.clientNamespace(k), Map.of("LOG_LEVEL", "error"),
                RealTools.WIREGUARD_GO.toString(), "-f", iface);
        TestingClientPeer peer = new TestingClientPeer(network, k, keys, keyFile, nodePublicKey, nodePort, daemon);
        peer.pumpOutput();
        await("client " + k + "'s wireguard-go socket").atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(TestingNetwork.socket(iface)));
        peer.wg("set", iface, "private-key", keyFile.toString());
        peer.addNodePeer();
        String ns = network.clientNamespace(k);
        Shell.ok("ip", "-n", ns, "address", "add", TestingNetwork.clientTunnelIp(k) + "/32", "dev", iface);
        Shell.ok("ip", "-n", ns, "link", "set", iface, "up");
        Shell.ok("ip", "-n", ns, "route", "add", "10.66.0.0/24", "dev", iface);
        return peer;
    }

    private void pumpOutput() {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    output.add(line);
                }
            } catch (IOException ignored) {
                // the daemon ended
            }
        }, "client-peer-" + k);
        thread.setDaemon(true);
        thread.start();
    }

    private void addNodePeer() {
        wg("set", iface, "peer", nodePublicKey, "endpoint", network.nodeVethIp(k) + ":" + nodePort, "allowed-ips",
                "10.66.0.0/24", "preshared-key", preSharedKeyFile == null ? "/dev/null" : preSharedKeyFile.toString());
    }

    /** Uses this pre-shared key with the node from now on (null: none), and reconnects. */
    void usePreSharedKey(String preSharedKey) {
        if (preSharedKey == null) {
            preSharedKeyFile = null;
        } else {
            Path file = network.directory().resolve("client-" + k + ".psk");
            try {
                Files.writeString(file, preSharedKey + "\n");
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            preSharedKeyFile = file;
        }
        reconnect();
    }

    private String wg(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = RealTools.WG.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Shell.Result result = TestingNetwork.inNamespace(network.clientNamespace(k), command);
        if (!result.succeeded()) {
            throw new IllegalStateException("wg " + String.join(" ", args) + " in client " + k + ": " + result.output());
        }
        return result.output();
    }

    String publicKey() {
        return keys.publicKey();
    }

    String tunnelIp() {
        return TestingNetwork.clientTunnelIp(k);
    }

    /** Where the node sees this client's packets come from. */
    String endpointIp() {
        return network.clientVethIp(k);
    }

    long pid() {
        return daemon.pid();
    }

    /**
     * How a fetch ended.
     *
     * @param exitCode curl's exit code: 0, or e.g. 28 (timed out)
     * @param bytes the body's size as curl received it
     * @param output what curl said (its error message)
     */
    record Fetch(int exitCode, long bytes, String output) {}

    /** Fetches a URL through the tunnel with curl, connecting within {@code connectTimeout}. */
    Fetch fetch(String url, Duration connectTimeout) {
        Shell.Result result = TestingNetwork.inNamespace(network.clientNamespace(k), RealTools.CURL.toString(), "-q",
                "--silent", "--show-error", "--output", "/dev/null", "--write-out", "%{size_download}\n",
                "--connect-timeout", String.valueOf(connectTimeout.toSeconds()), "--max-time", "30", "--url", url);
        String[] lines = result.output().split("\n");
        long bytes = 0;
        for (String line : lines) {
            if (line.matches("\\d+")) {
                bytes = Long.parseLong(line);
            }
        }
        return new Fetch(result.exitCode(), bytes, result.output());
    }

    /** The client's latest handshake with the node (Unix seconds, 0 for none). */
    long latestHandshake() {
        String[] fields = wg("show", iface, "latest-handshakes").split("\\s+");
        return Long.parseLong(fields[1]);
    }

    /**
     * The client's own counters of its tunnel to the node.
     *
     * @param received bytes the client received from the node
     * @param sent bytes the client sent to the node
     */
    record Transfer(long received, long sent) {}

    Transfer transfer() {
        String[] fields = wg("show", iface, "transfer").split("\\s+");
        return new Transfer(Long.parseLong(fields[1]), Long.parseLong(fields[2]));
    }

    /**
     * Forgets its session with the node, as a client that reconnects does: its next packet needs a new handshake,
     * which the node answers only if it knows the client's key.
     */
    void reconnect() {
        wg("set", iface, "peer", nodePublicKey, "remove");
        addNodePeer();
    }
}
