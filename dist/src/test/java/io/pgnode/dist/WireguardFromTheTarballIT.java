package io.pgnode.dist;

import static io.pgnode.dist.TarballNode.byType;
import static io.pgnode.dist.TarballNode.usersStat;
import static io.pgnode.dist.TestingDistribution.freePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingRestClient;
import io.pgnode.plugin.wireguard.WireguardTestBed;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.Users;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            try (TarballNode panel = TarballNode.boot(distribution, work, settings)) {
                TestingRestClient rest = panel.rest;
                NodeServiceGrpc.NodeServiceBlockingStub grpc = panel.grpc;
                TestingNodeProcess node = panel.node;
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
                    assertThat(byType(rest.stats(usersStat(false)), "alice@x")).as("REST").isEqualTo(expected);
                    assertThat(byType(grpc.getStats(usersStat(false)), "alice@x")).as("gRPC").isEqualTo(expected);
                });
                assertThat(byType(grpc.getStats(usersStat(false)), "alice@x").get("downlink"))
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
}
