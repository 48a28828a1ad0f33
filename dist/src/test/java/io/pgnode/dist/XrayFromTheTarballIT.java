package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.plugin.xray.RecordedCore;
import io.pgnode.plugin.xray.XrayTestBed;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage that survives what the panel and the machine do to a node (issue 11), on the node as an operator installs
 * it: the tarball's launcher, the Xray plugin from its plugins directory, the real v2fly core, real proxied
 * traffic. One user's fetch of a fixed size costs the same bytes every time, so after each event the next poll
 * must report exactly that amount: less is usage lost, more is usage counted twice. The events: a Start with the
 * same config (which keeps the core and a download open through it), a Start with another config, Stop then
 * Start, SIGTERM and a new run of the node, SIGKILL after a drain (no core of the killed node stays), and the
 * health check's words before Start and while the node brings a killed core back.
 */
class XrayFromTheTarballIT {

    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(15);
    /** Longer than two default drain intervals (5 s, or more at scale; 2 users here). */
    private static final Duration DRAIN = Duration.ofSeconds(30);
    private static final int BYTES = 100_000;
    /** Far more than every buffer on the way holds: the download is still under way when the Start comes. */
    private static final int LONG_DOWNLOAD = 256 << 20;
    private static final String ALICE = "alice@x";
    private static final String BOB = "bob@x";

    @TempDir Path temp;

    @Test
    void everyByteOfAUsersTrafficIsReportedOnceWhateverHappensToTheBackendAndTheNode() throws Exception {
        TestingDistribution.requireV2ray();
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path work = TestingDistribution.createDirectory(temp.resolve("work"));
        Path gate = temp.resolve("hold-the-core");
        Map<String, String> settings = Map.of("GRPC_PORT", String.valueOf(XrayTestBed.freePort()),
                "REST_PORT", String.valueOf(XrayTestBed.freePort()));
        Map<String, Long> oneFetch;
        try (XrayTestBed bed = XrayTestBed.create(ALICE, BOB)) {
            try (Panel panel = Panel.boot(distribution, work, settings)) {
                assertTheHealthCheckSaysNotStartedYet(panel);
                panel.rest.start(xray(bed.config(), bed));
                long firstCore = core(work).pid();

                bed.fetch(ALICE, "vless", BYTES);
                oneFetch = usersPoll(panel, ALICE);
                assertThat(oneFetch.get("downlink")).as("alice's fetch").isGreaterThanOrEqualTo(BYTES);
                bed.fetch(ALICE, "vless", BYTES);
                assertThat(usersPoll(panel, ALICE)).as("the same fetch costs the same bytes").isEqualTo(oneFetch);
                System.out.println("XrayFromTheTarballIT: one fetch of " + BYTES + " bytes counts " + oneFetch);

                // the same config, written differently: the node keeps the core and bob's download goes on
                bed.fetch(ALICE, "vless", BYTES);
                try (XrayTestBed.OpenDownload download = bed.openDownload(BOB, "vless", LONG_DOWNLOAD, 1 << 20)) {
                    assertThat(panel.rest.start(xray(reformatted(bed.config()), bed)).getStarted()).isTrue();
                    assertThat(core(work).pid()).as("the core a Start of the same config keeps").isEqualTo(firstCore);
                    download.finish();
                }
                assertThat(usersPoll(panel, ALICE)).as("after a Start of the same config").isEqualTo(oneFetch);

                bed.fetch(ALICE, "vless", BYTES);
                panel.grpc.start(xray(bed.otherConfig("other"), bed));
                assertThat(core(work).pid()).as("another config, another core").isNotEqualTo(firstCore);
                assertThat(usersPoll(panel, ALICE)).as("after a Start of another config").isEqualTo(oneFetch);

                bed.fetch(ALICE, "vless", BYTES);
                panel.rest.stop();
                panel.grpc.start(xray(bed.config(), bed));
                assertThat(usersPoll(panel, ALICE)).as("after Stop, then Start").isEqualTo(oneFetch);

                bed.fetch(ALICE, "vless", BYTES);
                RecordedCore beforeTerm = core(work);
                panel.node.signal("TERM");
                assertThat(panel.node.awaitExit(SETTLE)).as("exit code after SIGTERM; %s", panel.node.output()).isZero();
                assertThat(beforeTerm.coreRuns()).as("the core ends with its node").isFalse();
            }

            try (Panel panel = Panel.boot(distribution, work, settings)) {
                panel.rest.start(xray(bed.config(), bed));
                assertThat(usersPoll(panel, ALICE)).as("after SIGTERM and a new run of the node").isEqualTo(oneFetch);

                bed.fetch(ALICE, "vless", BYTES);
                RecordedCore beforeKill = core(work);
                String downlink = "user>>>" + ALICE + ">>>traffic>>>downlink";
                long fetched = System.nanoTime();
                await("the node drains alice's counters in the background").atMost(DRAIN)
                        .pollInterval(Duration.ofMillis(200)).until(() -> beforeKill.counter(downlink) == 0);
                System.out.printf("XrayFromTheTarballIT: the background drain took alice's bytes %d ms after her fetch%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fetched));
                panel.node.signal("KILL");
                panel.node.awaitExit(SETTLE);
                try {
                    await("no core of the killed node is left").atMost(SETTLE).pollInterval(Duration.ofMillis(20))
                            .until(() -> !beforeKill.coreRuns() && !beforeKill.lifelineRuns());
                } finally {
                    beforeKill.killWhatRuns();
                }
            }

            Map<String, String> gated = new LinkedHashMap<>(settings);
            gated.put("XRAY_EXECUTABLE_PATH", gatedCore(gate).toString());
            try (Panel panel = Panel.boot(distribution, work, gated)) {
                panel.rest.start(xray(bed.config(), bed));
                assertThat(usersPoll(panel, ALICE)).as("after SIGKILL: what the drain before it took").isEqualTo(oneFetch);

                RecordedCore killed = core(work);
                Files.createFile(gate); // the node's next core waits until the gate is gone
                ProcessHandle.of(killed.pid()).orElseThrow().destroyForcibly();
                await("the health check fails while the node brings its core back").atMost(SETTLE)
                        .until(() -> panel.rest.call("GET", "/stats/backend", new byte[0]).status() != 200);
                assertTheHealthCheckSaysFailedToGetSysStats(panel);

                Files.delete(gate);
                await("the core is back").atMost(SETTLE).pollInterval(Duration.ofMillis(50))
                        .until(() -> panel.rest.call("GET", "/stats/backend", new byte[0]).status() == 200);
                assertThat(panel.grpc.getBackendStats(Empty.getDefaultInstance()).getUptime()).isNotNegative();
                assertThat(core(work).pid()).isNotEqualTo(killed.pid());
                bed.fetch(ALICE, "vless", BYTES);
                assertThat(usersPoll(panel, ALICE)).as("the brought-back core counts alice").isEqualTo(oneFetch);
            } finally {
                Files.deleteIfExists(gate);
            }
        }
    }

    private static void assertTheHealthCheckSaysNotStartedYet(Panel panel) {
        TestingRestClient.Response rest = panel.rest.call("GET", "/stats/backend", new byte[0]);
        assertThat(rest.status()).isEqualTo(503);
        assertThat(rest.errorMessage()).contains("core is not started yet").contains("failed to get sys stats");
        StatusRuntimeException grpc = catchThrowableOfType(StatusRuntimeException.class,
                () -> panel.grpc.getBackendStats(Empty.getDefaultInstance()));
        assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(grpc.getStatus().getDescription()).contains("core is not started yet")
                .contains("failed to get sys stats");
    }

    /** The panel re-Starts a node on a failed health check unless it is 500-504 with these words. */
    private static void assertTheHealthCheckSaysFailedToGetSysStats(Panel panel) {
        TestingRestClient.Response rest = panel.rest.call("GET", "/stats/backend", new byte[0]);
        assertThat(rest.status()).as("REST: %s", rest.errorMessage()).isBetween(500, 504);
        assertThat(rest.errorMessage()).contains("failed to get sys stats");
        StatusRuntimeException grpc = catchThrowableOfType(StatusRuntimeException.class,
                () -> panel.grpc.getBackendStats(Empty.getDefaultInstance()));
        assertThat(grpc).as("gRPC answers while the core is held back").isNotNull();
        assertThat(grpc.getStatus().getDescription()).contains("failed to get sys stats");
    }

    /**
     * The real core behind a gate: while the gate file exists (at most a minute), a start of the core waits, as
     * a slow machine's would. The test holds a core restart open with it, without guessing how long one takes.
     */
    private Path gatedCore(Path gate) throws IOException {
        Path script = temp.resolve("gated-v2ray");
        Files.writeString(script, "#!/bin/sh\n"
                + "n=0\n"
                + "while [ -e '" + gate + "' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\n"
                + "exec /usr/bin/v2ray \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** The one poll the panel makes every 10 s (users, with reset), over gRPC; one user's bytes by type. */
    private static Map<String, Long> usersPoll(Panel panel, String email) {
        StatResponse stats = panel.grpc.getStats(StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true)
                .build());
        Map<String, Long> byType = new LinkedHashMap<>();
        stats.getStatsList().stream().filter(s -> s.getName().equals(email))
                .forEach(s -> byType.merge(s.getType(), s.getValue(), Long::sum));
        return byType;
    }

    private static Backend xray(String config, XrayTestBed bed) {
        return Backend.newBuilder().setType(BackendType.XRAY).setConfig(config).addUsers(bed.user(ALICE))
                .addUsers(bed.user(BOB)).build();
    }

    /** The same JSON with other whitespace: the node compares configs as JSON, not as text. */
    private static String reformatted(String config) {
        try {
            String pretty = new ObjectMapper().readTree(config).toPrettyString();
            assertThat(pretty).isNotEqualTo(config);
            return pretty;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running core the Xray backend recorded in its work directory (DATA_DIR is {@code data} by default). */
    private static RecordedCore core(Path work) {
        return RecordedCore.in(work.resolve("data/backends/xray"));
    }

    /** A run of the tarball's node and a panel's two clients of it. */
    private static final class Panel implements AutoCloseable {

        final TestingNodeProcess node;
        final TestingRestClient rest;
        final NodeServiceGrpc.NodeServiceBlockingStub grpc;
        private final ManagedChannel channel;

        private Panel(TestingNodeProcess node, TestingRestClient rest, ManagedChannel channel,
                NodeServiceGrpc.NodeServiceBlockingStub grpc) {
            this.node = node;
            this.rest = rest;
            this.channel = channel;
            this.grpc = grpc;
        }

        static Panel boot(TestingDistribution distribution, Path work, Map<String, String> settings) throws Exception {
            TestingNodeProcess node = distribution.start(work, settings);
            try {
                PrintedPanelLine line = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, BOOT));
                String apiKey = Files.readString(work.resolve("data/api_key")).strip();
                TestingRestClient rest = TestingRestClient.connect(URI.create("https://" + line.authority(line.restPort())),
                        DistributionSmokeIT.readCertificate(line.certificate()), apiKey);
                ManagedChannel channel = TestingNode.channelTo(line.address(), line.grpcPort(), line.certificate());
                return new Panel(node, rest, channel, TestingNode.blockingStub(channel, apiKey));
            } catch (Exception | AssertionError e) {
                node.close();
                throw e;
            }
        }

        @Override
        public void close() throws InterruptedException {
            try {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            } finally {
                node.close();
            }
        }
    }
}
