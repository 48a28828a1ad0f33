package io.pgnode.dist;

import static io.pgnode.dist.TestingDistribution.freePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.plugin.wireguard.WireguardTestBed;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import io.pgnode.proto.Users;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A WireGuard node as an operator installs it: the tarball unpacked and started with its launcher, the WireGuard
 * plugin from its plugins directory, its tools (wireguard-go, wg, ip) run inside a network namespace the test
 * made, and real client peers in namespaces of their own. The panel starts the interface over REST, a user's
 * fetch through the tunnel is counted as theirs over both transports, a full sync over gRPC without one user takes
 * that user's peer off the interface, and Stop leaves no interface and no wireguard-go behind.
 */
class WireguardFromTheTarballIT {

    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int BYTES = 200_000;

    @TempDir Path temp;

    @Test
    void theTarballsWireguardPluginServesRealTunnelsAndCountsEachUser() throws Exception {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path work = TestingDistribution.createDirectory(temp.resolve("work"));
        try (WireguardTestBed bed = WireguardTestBed.create(temp, 2)) {
            Map<String, String> settings = new HashMap<>(freePorts());
            settings.putAll(bed.nodeSettings());
            try (TestingNodeProcess node = distribution.start(work, settings)) {
                PrintedPanelLine line = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, BOOT));
                TestingRestClient rest = TestingRestClient.connect(URI.create("https://" + line.authority(line.restPort())),
                        DistributionSmokeIT.readCertificate(line.certificate()), line.apiKey());
                ManagedChannel channel = TestingNode.channelTo(line.address(), line.grpcPort(), line.certificate());
                try {
                    NodeServiceGrpc.NodeServiceBlockingStub grpc = TestingNode.blockingStub(channel, line.apiKey());

                    BaseInfoResponse started = rest.start(Backend.newBuilder().setType(BackendType.WIREGUARD)
                            .setConfig(bed.config()).addUsers(bed.user("alice@x", 1)).addUsers(bed.user("bob@x", 2))
                            .build());
                    assertThat(started.getStarted()).isTrue();
                    assertThat(started.getCoreType()).isEqualTo("wireguard");
                    assertThat(bed.nodeHasInterface()).isTrue();
                    assertThat(bed.peersOfTheNode()).containsExactlyInAnyOrder(bed.publicKey(1), bed.publicKey(2));
                    ProcessHandle daemon = theDaemonOf(node);

                    long arrived = bed.fetch(1, BYTES);
                    assertThat(arrived).isEqualTo(BYTES);
                    await("alice's counters on both transports").atMost(SETTLE).untilAsserted(() -> {
                        long[] counted = bed.nodeCountersOf(1);
                        Map<String, Long> expected = Map.of("uplink", counted[0], "downlink", counted[1]);
                        assertThat(byType(rest.stats(usersStat()), "alice@x")).as("REST").isEqualTo(expected);
                        assertThat(byType(grpc.getStats(usersStat()), "alice@x")).as("gRPC").isEqualTo(expected);
                    });
                    assertThat(byType(grpc.getStats(usersStat()), "alice@x").get("downlink"))
                            .as("sent to alice: at least the body she received").isGreaterThanOrEqualTo(arrived);

                    grpc.syncUsers(Users.newBuilder().addUsers(bed.user("alice@x", 1)).build()); // bob is gone
                    assertThat(bed.peersOfTheNode()).as("bob's peer is off the interface at once")
                            .containsExactly(bed.publicKey(1));
                    assertThat(bed.fetch(1, 1_000)).as("alice's tunnel goes on").isEqualTo(1_000);

                    grpc.stop(Empty.getDefaultInstance());
                    await("the interface's process ends").atMost(SETTLE).until(() -> !daemon.isAlive());
                    assertThat(bed.nodeHasInterface()).as("Stop removes the interface").isFalse();
                    assertThat(rest.info().getStarted()).isFalse();

                    node.signal("TERM");
                    assertThat(node.awaitExit(SETTLE)).as("exit code after SIGTERM; %s", node.output()).isZero();
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The node's wireguard-go: a descendant of the launched node (the launcher execs java, which runs it). */
    private static ProcessHandle theDaemonOf(TestingNodeProcess node) {
        await("the node's wireguard-go").atMost(SETTLE).until(() -> node.descendants("wireguard-go").size() == 1);
        List<ProcessHandle> daemons = node.descendants("wireguard-go");
        assertThat(daemons).hasSize(1);
        return daemons.get(0);
    }

    private static StatRequest usersStat() {
        return StatRequest.newBuilder().setType(StatType.UsersStat).build();
    }

    private static Map<String, Long> byType(StatResponse stats, String name) {
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.getStatsList().stream().filter(s -> s.getName().equals(name))
                .forEach(s -> byType.merge(s.getType(), s.getValue(), Long::sum));
        return byType;
    }
}
