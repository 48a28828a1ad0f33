package io.pgnode.plugin.wireguard;

import static io.pgnode.plugin.wireguard.TestingWireguard.config;
import static io.pgnode.plugin.wireguard.TestingWireguard.peerUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.Set;
import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend driven through the SPI against real userspace tunnels: its interface in a namespace of its own, two
 * client peers (wireguard-go + wg) in theirs, an HTTP server in the node's namespace. What the node's own life does
 * to the interface: a daemon that dies, a suspend for a replacing Start, draining under load, a check of another
 * config, and starts that cannot work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireguardBackendOnRealTunnelsTest {

    private static final int BYTES = 200_000;

    @TempDir Path temp;

    private TestingNetwork network;
    private TestingKeys nodeKeys;
    private int port;
    private String iface;
    private TestingClientPeer alice;
    private TestingClientPeer bob;
    private final List<WireguardBackend> backends = new ArrayList<>();
    private Path workDirectory;

    @BeforeAll
    void createNetwork(@TempDir Path shared) {
        network = TestingNetwork.create(shared, 2);
        nodeKeys = TestingKeys.generate();
        port = TestingWireguard.freeUdpPort();
        iface = network.interfaceName("n");
        TestingNamespaceServer.start(network, network.nodeNamespace());
        alice = TestingClientPeer.start(network, 1, nodeKeys.publicKey(), port);
        bob = TestingClientPeer.start(network, 2, nodeKeys.publicKey(), port);
    }

    @AfterAll
    void removeNetwork() {
        if (network != null) {
            network.close();
        }
    }

    @BeforeEach
    void freshWorkDirectoryAndSessions() throws IOException {
        workDirectory = Files.createDirectories(temp.resolve("work"));
        // every test's interface is new: a client's session with an earlier one is gone, as after any node restart
        alice.reconnect();
        bob.reconnect();
    }

    @AfterEach
    void closeBackends() {
        backends.forEach(WireguardBackend::close);
        backends.clear();
        assertThat(network.nodeHasInterface(iface)).as("closed backends leave no interface").isFalse();
    }

    @Test
    void aDaemonThatDiesIsReplacedWithEveryPeerAndNoCountedByteIsLostOrCountedTwice() throws Exception {
        TestingBackendContext context = context(List.of(aliceUser(), bobUser()), Map.of());
        WireguardBackend backend = started(context);
        assertFetches(alice);
        long countedBefore = downlink(backend, "alice");
        TestingNetwork.PeerCounters firstSession = network.nodeCounters(iface, alice.publicKey());
        assertThat(countedBefore).as("read by the stats call, before the daemon dies").isEqualTo(firstSession.sent());
        long firstPid = backend.daemonPid().orElseThrow();

        ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

        await("a new wireguard-go").atMost(Duration.ofSeconds(20))
                .until(() -> backend.daemonPid().isPresent() && backend.daemonPid().getAsLong() != firstPid
                        && backend.isRunning());
        assertThat(backend.restartCount()).isEqualTo(1);
        assertThat(network.inNode("wg", "show", iface, "peers").output().lines())
                .containsExactlyInAnyOrder(alice.publicKey(), bob.publicKey());
        alice.reconnect(); // the new interface has no session with her yet
        assertFetches(alice);
        // what the node reports: its ledger (handed over before the recreation) plus what the backend counts now
        assertThat(context.usage().peek(TrafficOwner.USER, "alice", "downlink")).isEqualTo(firstSession.sent());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            TestingNetwork.PeerCounters secondSession = network.nodeCounters(iface, alice.publicKey());
            assertThat(downlink(backend, "alice")).isEqualTo(secondSession.sent());
            assertThat(context.usage().peek(TrafficOwner.USER, "alice", "uplink") + uplink(backend, "alice"))
                    .isEqualTo(firstSession.received() + secondSession.received());
        });
        assertThat(context.logLines()).as("the daemon's output reaches the log sink").isNotEmpty();
    }

    @Test
    void aSuspendRemovesTheInterfaceAndAResumeBringsBackEveryPeerWithTheCountsHandedOver() {
        TestingBackendContext context = context(List.of(aliceUser(), bobUser()), Map.of());
        WireguardBackend backend = started(context);
        assertFetches(alice);
        long pid = backend.daemonPid().orElseThrow();
        TestingNetwork.PeerCounters beforeSuspend = network.nodeCounters(iface, alice.publicKey());

        assertThat(backend.suspend()).isTrue();

        assertThat(network.nodeHasInterface(iface)).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(backend.isRunning()).isFalse();
        assertThat(InterfaceRecord.file(workDirectory, iface)).doesNotExist();
        assertThat(context.usage().peek(TrafficOwner.USER, "alice", "downlink")).as("handed over before the interface went")
                .isEqualTo(beforeSuspend.sent());

        backend.resume();

        assertThat(backend.isRunning()).isTrue();
        assertThat(network.inNode("wg", "show", iface, "peers").output().lines())
                .containsExactlyInAnyOrder(alice.publicKey(), bob.publicKey());
        alice.reconnect();
        assertFetches(alice);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(downlink(backend, "alice"))
                .as("only what came after the hand-over")
                .isEqualTo(network.nodeCounters(iface, alice.publicKey()).sent()));
    }

    @Test
    void everyByteGoesOnceToAStatsAnswerOrToTheLedgerWhileBothRunConcurrently() throws Exception {
        TestingBackendContext context = context(List.of(aliceUser(), bobUser()), Map.of());
        WireguardBackend backend = started(context);
        AtomicLong answered = new AtomicLong();
        AtomicBoolean traffic = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> fetching = pool.submit(() -> {
                for (int i = 0; i < 6; i++) {
                    assertFetches(alice);
                }
                traffic.set(false);
            });
            Future<?> polling = pool.submit(() -> {
                for (int i = 0; i < 500 && traffic.get(); i++) {
                    for (Stat stat : backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true))) {
                        if (stat.name().equals("alice") && stat.type().equals("downlink")) {
                            answered.addAndGet(stat.value());
                        }
                    }
                }
            });
            Future<?> draining = pool.submit(() -> {
                for (int i = 0; i < 500 && traffic.get(); i++) {
                    backend.drainUsage(java.util.Set.of(TrafficOwner.USER));
                }
            });
            fetching.get(120, TimeUnit.SECONDS);
            polling.get(30, TimeUnit.SECONDS);
            draining.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                answered.get() + context.usage().peek(TrafficOwner.USER, "alice", "downlink") + downlink(backend, "alice"))
                .isEqualTo(network.nodeCounters(iface, alice.publicKey()).sent()));
        assertThat(answered.get()).as("some went to the answers").isPositive();
        assertThat(context.usage().peek(TrafficOwner.USER, "alice", "downlink")).as("some went to the ledger").isPositive();
    }

    @Test
    void everyPeerGetsThePreSharedKeyAndTheKeepaliveOfTheConfig() throws IOException {
        String psk = TestingKeys.preSharedKey();
        String config = TestingWireguard.withPreSharedKey(config(iface, nodeKeys.privateKey(), port,
                "http://10.66.0.11:8080/"), psk).replace("\"peer_keepalive_seconds\":0", "\"peer_keepalive_seconds\":7");
        WireguardBackend backend = backend(context(List.of(aliceUser(), bobUser()), Map.of()), config);
        backend.start();
        try {
            assertThat(network.inNode("wg", "show", iface, "preshared-keys").output().lines())
                    .containsExactlyInAnyOrder(alice.publicKey() + "\t" + psk, bob.publicKey() + "\t" + psk);
            assertThat(network.inNode("wg", "show", iface, "persistent-keepalive").output().lines())
                    .containsExactlyInAnyOrder(alice.publicKey() + "\t7", bob.publicKey() + "\t7");
            try (var files = Files.list(workDirectory)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("no key file outlives its wg run")
                        .containsExactly("interface-" + iface + ".json");
            }
            TestingClientPeer.Fetch withoutKey = alice.fetch("http://" + TestingNetwork.NODE_TUNNEL_IP + ":"
                    + TestingNamespaceServer.PORT + "/bytes/1000", Duration.ofSeconds(2));
            assertThat(withoutKey.exitCode()).as("a client without the pre-shared key gets no session").isNotZero();
            assertThat(alice.latestHandshake()).isZero();

            alice.usePreSharedKey(psk);
            assertFetches(alice);
        } finally {
            alice.usePreSharedKey(null);
        }
    }

    @Test
    void checkingAnotherConfigLeavesTheRunningInterfaceAlone() {
        WireguardBackend running = started(context(List.of(aliceUser()), Map.of()));
        long pid = running.daemonPid().orElseThrow();
        int taken = TestingWireguard.freeUdpPort();
        Process foreign = network.spawn(network.nodeNamespace(), Map.of(), "sh", "-c",
                "exec " + RealTools.WIREGUARD_GO + " -f " + network.interfaceName("x"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(TestingNetwork.socket(network.interfaceName("x"))));
        Shell.ok("ip", "netns", "exec", network.nodeNamespace(), "wg", "set", network.interfaceName("x"),
                "listen-port", String.valueOf(taken));

        // the same interface and port as the running one: those are the node's own, it frees them before it starts
        backend(context(List.of(aliceUser()), Map.of())).checkConfig();
        // an interface name and a port someone else holds
        assertThatThrownBy(() -> backend(context(List.of(), Map.of()),
                config(network.interfaceName("x"), nodeKeys.privateKey(), port, "http://10.66.0.1:8080/")).checkConfig())
                .isInstanceOf(BackendException.class).hasMessageContaining("a network interface named "
                        + network.interfaceName("x") + " exists and this node did not create it");

        assertThat(running.daemonPid()).hasValue(pid);
        assertThat(running.isRunning()).isTrue();
        assertFetches(alice);
        foreign.destroy();
    }

    @Test
    void startsThatCannotWorkAreRefusedInWordsAndLeaveNothingBehind() throws IOException {
        Path noCapability = network.directory().resolve("wireguard-go-without-net-admin");
        Files.writeString(noCapability, "#!/bin/sh\nexec " + RealTools.IP + " netns exec " + network.nodeNamespace()
                + " setpriv --inh-caps=-net_admin --bounding-set=-net_admin " + RealTools.WIREGUARD_GO + " \"$@\"\n");
        noCapability.toFile().setExecutable(true);
        Map<String, String> missingTool = Map.of("WIREGUARD_GO_PATH", "/nonexistent/wireguard-go");
        Map<String, String> withoutCapability = Map.of("WIREGUARD_GO_PATH", noCapability.toString());

        assertRefused(missingTool, "wireguard-go not found at /nonexistent/wireguard-go; install wireguard-go or set"
                + " WIREGUARD_GO_PATH");
        assertRefused(withoutCapability, "Failed to create TUN device: operation not permitted",
                "the node lacks CAP_NET_ADMIN");

        Shell.ok("ip", "-n", network.nodeNamespace(), "link", "add", iface, "type", "veth", "peer", "name",
                network.interfaceName("v"));
        try {
            assertRefused(Map.of(), "a network interface named " + iface + " exists and this node did not create it");
        } finally {
            Shell.ok("ip", "-n", network.nodeNamespace(), "link", "delete", iface);
        }

        Process foreign = network.spawn(network.nodeNamespace(), Map.of(), RealTools.WIREGUARD_GO.toString(), "-f",
                network.interfaceName("y"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(TestingNetwork.socket(network.interfaceName("y"))));
        Shell.ok("ip", "netns", "exec", network.nodeNamespace(), "wg", "set", network.interfaceName("y"),
                "listen-port", String.valueOf(port));
        try {
            assertRefused(Map.of(), "UDP port " + port + " is in use by another program");
        } finally {
            foreign.destroy();
        }

        if (Files.exists(Path.of("/sys/module/wireguard"))) {
            // a kernel with the module: kernel mode serves
            started(context(List.of(aliceUser()), Map.of("WIREGUARD_MODE", "kernel"))).close();
        } else {
            assertRefused(Map.of("WIREGUARD_MODE", "kernel"), "this kernel has no WireGuard module",
                    "set WIREGUARD_MODE=userspace");
        }
    }

    private void assertRefused(Map<String, String> settings, String... sentences) {
        WireguardBackend backend = backend(context(List.of(aliceUser()), settings));
        assertThatThrownBy(backend::start).isInstanceOf(BackendException.class)
                .satisfies(e -> assertThat(((BackendException) e).kind()).isEqualTo(BackendException.Kind.FAILURE))
                .satisfies(e -> assertThat(e.getMessage()).contains(sentences)
                        .doesNotContain(nodeKeys.privateKey()));
        backend.close();
        assertThat(InterfaceRecord.files(workDirectory)).isEmpty();
        try (var files = Files.list(workDirectory)) {
            assertThat(files.toList()).as("no key file is left").isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private User aliceUser() {
        return peerUser("alice", alice.publicKey(), iface, alice.tunnelIp() + "/32", "fd66::11/128");
    }

    private User bobUser() {
        return peerUser("bob", bob.publicKey(), iface, bob.tunnelIp() + "/32");
    }

    private TestingBackendContext context(List<User> users, Map<String, String> extraSettings) {
        Map<String, String> settings = new HashMap<>(network.nodeToolSettings());
        settings.put("WIREGUARD_LOG_LEVEL", "verbose");
        settings.putAll(extraSettings);
        return new TestingBackendContext(config(iface, nodeKeys.privateKey(), port, "http://10.66.0.11:8080/"),
                users, Set.of(), settings, workDirectory);
    }

    private WireguardBackend backend(TestingBackendContext context) {
        return backend(context, context.config());
    }

    private WireguardBackend backend(TestingBackendContext context, String config) {
        WireguardBackend backend = new WireguardBackend(context, WireguardSettings.from(context.settings()),
                InterfaceConfig.parse(config), fastTuning(), System.getenv("PATH"));
        backends.add(backend);
        return backend;
    }

    private WireguardBackend started(TestingBackendContext context) {
        WireguardBackend backend = backend(context);
        backend.start();
        return backend;
    }

    private static WireguardBackend.Tuning fastTuning() {
        WireguardBackend.Tuning defaults = WireguardBackend.Tuning.defaults();
        return new WireguardBackend.Tuning(Duration.ofSeconds(1), defaults.daemonTimeout(), defaults.stopGrace(),
                defaults.toolTimeout(), Duration.ofSeconds(2), defaults.onlineWindow());
    }

    private static void assertFetches(TestingClientPeer peer) {
        TestingClientPeer.Fetch fetch = peer.fetch("http://" + TestingNetwork.NODE_TUNNEL_IP + ":"
                + TestingNamespaceServer.PORT + "/bytes/" + BYTES, Duration.ofSeconds(5));
        assertThat(fetch.exitCode()).as(fetch.output()).isZero();
        assertThat(fetch.bytes()).isEqualTo(BYTES);
    }

    private static long downlink(WireguardBackend backend, String email) {
        return value(backend, email, "downlink");
    }

    private static long uplink(WireguardBackend backend, String email) {
        return value(backend, email, "uplink");
    }

    private static long value(WireguardBackend backend, String email, String type) {
        return backend.stats(new StatQuery(StatQuery.Scope.USER, email, false)).stream()
                .filter(s -> s.type().equals(type)).mapToLong(Stat::value).sum();
    }
}
