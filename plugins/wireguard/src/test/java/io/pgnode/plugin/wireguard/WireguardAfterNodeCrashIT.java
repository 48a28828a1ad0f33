package io.pgnode.plugin.wireguard;

import static io.pgnode.plugin.wireguard.TestingWireguard.panelPeer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import io.grpc.ManagedChannel;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that dies without removing its interface (SIGKILL: no shutdown hook, no close) leaves its wireguard-go
 * running, for a child outlives its parent. The next node on the same data directory finds the record of it, stops
 * that process and serves its own interface in its place.
 */
class WireguardAfterNodeCrashIT {

    private static final String API_KEY = UUID.randomUUID().toString();

    @TempDir Path temp;

    @Test
    void theNextStartRemovesTheInterfaceAndProcessACrashedNodeLeftAndServesItsOwn() throws Exception {
        try (TestingNetwork network = TestingNetwork.create(temp, 1); CapturedLogs logs = CapturedLogs.of("io.pgnode")) {
            TestingKeys nodeKeys = TestingKeys.generate();
            String iface = network.interfaceName("n");
            int port = TestingWireguard.freeUdpPort();
            TestingNamespaceServer.start(network, network.nodeNamespace());
            TestingClientPeer alice = TestingClientPeer.start(network, 1, nodeKeys.publicKey(), port);
            Path plugins = BuiltPluginZip.installIn(temp);
            Path dataDir = temp.resolve("data");
            Backend start = Backend.newBuilder().setType(BackendType.WIREGUARD)
                    .setConfig(TestingWireguard.config(iface, nodeKeys.privateKey(), port, "http://10.66.0.11:8080/"))
                    .addUsers(panelPeer("alice@x", alice.publicKey(), iface, alice.tunnelIp() + "/32"))
                    .build();

            long orphan;
            int grpcPort = freeTcpPort();
            Process first = nodeProcess(network, plugins, dataDir, grpcPort);
            try {
                ManagedChannel channel = awaitGrpc(first, grpcPort, dataDir);
                try {
                    NodeServiceGrpc.NodeServiceBlockingStub grpc = TestingNode.blockingStub(channel, API_KEY);
                    assertThat(grpc.start(start).getStarted()).isTrue();
                    fetch(alice);
                    orphan = first.descendants()
                            .filter(p -> p.info().command().map(c -> c.endsWith("/wireguard-go")).orElse(false))
                            .findFirst().orElseThrow().pid();
                } finally {
                    channel.shutdownNow();
                }
            } finally {
                first.destroyForcibly(); // SIGKILL: the node gets no chance to remove anything
                first.waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(running(orphan)).as("wireguard-go outlived the node").isTrue();
            assertThat(network.nodeHasInterface(iface)).isTrue();
            try (var files = Files.list(dataDir.resolve("backends/wireguard"))) {
                assertThat(files.map(p -> p.getFileName().toString())).as("the record of what the node left")
                        .containsExactly("interface-" + iface + ".json");
            }

            TestingNode.Builder builder = TestingNode.builder().pluginsDir(plugins)
                    .setting("DATA_DIR", dataDir.toString());
            network.nodeToolSettings().forEach(builder::setting);
            try (TestingNode second = builder.start()) {
                assertThat(second.rest().start(start).getStarted()).isTrue();

                assertThat(running(orphan)).as("the leftover wireguard-go was stopped").isFalse();
                assertThat(logs.lines()).anyMatch(l -> l.contains("a previous run of the node left wireguard-go (pid "
                        + orphan + ") holding " + iface + "; stopping it"));
                assertThat(network.nodeHasInterface(iface)).isTrue();
                alice.reconnect(); // the new interface has no session with her
                fetch(alice);

                second.rest().stop();
                assertThat(network.nodeHasInterface(iface)).isFalse();
                assertThat(second.workDirectory("wireguard")).isEmptyDirectory();
            }
        }
    }

    /** The node in a JVM of its own, started as the launcher starts it, with its tools in the node's namespace. */
    private Process nodeProcess(TestingNetwork network, Path plugins, Path dataDir, int grpcPort) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "io.pgnode.host.cli.Main", "run")
                .directory(Files.createDirectories(temp.resolve("first-node")).toFile())
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("first-node.log").toFile());
        Map<String, String> env = new HashMap<>(network.nodeToolSettings());
        env.put("API_KEY", API_KEY);
        env.put("NODE_HOST", "127.0.0.1");
        env.put("GRPC_PORT", String.valueOf(grpcPort));
        env.put("REST_PORT", "0");
        env.put("DATA_DIR", dataDir.toString());
        env.put("PLUGINS_DIR", plugins.toString());
        builder.environment().putAll(env);
        return builder.start();
    }

    private ManagedChannel awaitGrpc(Process node, int grpcPort, Path dataDir) {
        Path certificate = dataDir.resolve("ssl_cert.pem");
        await("the first node's gRPC port").atMost(Duration.ofSeconds(60)).until(() -> {
            if (!node.isAlive()) {
                throw new AssertionError("the first node exited: " + Files.readString(temp.resolve("first-node.log")));
            }
            if (!Files.exists(certificate)) {
                return false;
            }
            ManagedChannel probe = TestingNode.channelTo("127.0.0.1", grpcPort, certificate);
            try {
                TestingNode.blockingStub(probe, API_KEY).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .getBaseInfo(Empty.getDefaultInstance());
                return true;
            } catch (RuntimeException notYet) {
                return false;
            } finally {
                probe.shutdownNow();
            }
        });
        return TestingNode.channelTo("127.0.0.1", grpcPort, certificate);
    }

    private static void fetch(TestingClientPeer peer) {
        TestingClientPeer.Fetch fetch = peer.fetch("http://" + TestingNetwork.NODE_TUNNEL_IP + ":"
                + TestingNamespaceServer.PORT + "/bytes/10000", Duration.ofSeconds(5));
        assertThat(fetch.exitCode()).as(fetch.output()).isZero();
    }

    /** Alive and not a zombie waiting for whoever adopted it to reap it. */
    private static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String text = Files.readString(stat);
        return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
