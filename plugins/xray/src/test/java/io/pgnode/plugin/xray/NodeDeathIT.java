package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.BaseInfoResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core never outlives its node (issue 11): the node runs in a JVM of its own ({@link NodeInAnotherJvm}) with the
 * plugin zip and the real v2fly core, and is killed with SIGKILL. Its core ends within seconds, by its lifeline,
 * with no Java left to do it; and a core whose lifeline was stopped too is found and ended by the next node's Start.
 */
class NodeDeathIT {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 50_000;

    @TempDir
    Path temp;

    @Test
    void whenTheNodesJvmIsKilledItsCoreEndsWithinSeconds() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        try (NodeInAnotherJvm node = NodeInAnotherJvm.start(temp.resolve("node"), BuiltPluginZip.installIn(temp),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()))) {
            BaseInfoResponse info = node.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", ALL)));
            assertThat(info.getStarted()).isTrue();
            RecordedCore core = RecordedCore.in(node.workDirectory("xray"));
            try {
                assertThat(ProcessHandle.of(core.pid()).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                        .as("the node's core").contains(node.pid());
                assertThat(core.coreRuns()).isTrue();

                long killed = System.nanoTime();
                node.kill();

                await("the core ends with its node").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> !core.coreRuns());
                System.out.printf("NodeDeathIT: the core ended %d ms after its node was killed%n",
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
                await("its lifeline ends too").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> !core.lifelineRuns());
            } finally {
                core.killWhatRuns();
            }
        }
    }

    @Test
    void aCoreWhoseLifelineWasStoppedTooIsEndedByTheNextNodesStartWhichThenServes() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        Path workingDirectory = temp.resolve("node");
        Path plugins = BuiltPluginZip.installIn(temp);
        Map<String, String> settings = Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString());
        RecordedCore core = null;
        try {
            try (NodeInAnotherJvm node = NodeInAnotherJvm.start(workingDirectory, plugins, settings)) {
                node.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", ALL)));
                core = RecordedCore.in(node.workDirectory("xray"));
                signal("STOP", core.lifelinePid()); // a lifeline that cannot act: the core will outlive the node

                node.kill();
            }
            try (CapturedLogs logs = CapturedLogs.of("io.pgnode");
                    TestingHttpServer http = new TestingHttpServer();
                    TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("alice@x", ""));
                    TestingNode next = TestingNode.builder().workingDirectory(workingDirectory).pluginsDir(plugins)
                            .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()).start()) {
                assertThat(core.coreRuns()).as("the earlier node's core outlived it").isTrue();

                next.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", ALL)));

                assertThat(core.coreRuns()).as("ended by the Start").isFalse();
                assertThat(core.lifelineRuns()).as("its stopped lifeline too").isFalse();
                assertThat(RealV2ray.runningIn(next.workDirectory("xray"))).hasSize(1);
                long stale = core.pid();
                assertThat(logs.lines()).anyMatch(line -> line.contains(
                        "a core of an earlier run of the node still runs (pid " + stale));
                ServedTraffic.assertServed(client, http, "alice@x", BYTES);
            }
        } finally {
            if (core != null) {
                core.killWhatRuns();
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}
