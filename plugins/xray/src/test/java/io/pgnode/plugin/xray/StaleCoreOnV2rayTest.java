package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.plugin.xray.lifeline.CoreRecord;
import io.pgnode.plugin.xray.lifeline.ProcessIdentity;
import io.pgnode.host.usage.UsageLedger;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A core an earlier run of the node left running (its lifeline could not end it), found at the next start by the
 * record in the work directory, on the real v2fly core: its counters go to the node's ledger, then it ends, before
 * the new core takes its ports. A recorded PID that now belongs to another process is never touched.
 */
class StaleCoreOnV2rayTest {

    private static final String[] ALL = TestingServerInbounds.TAGS.toArray(String[]::new);
    private static final int BYTES = 100_000;

    @TempDir
    Path dir;

    @Test
    void aCoreLeftRunningHandsItsCountersToTheLedgerAndEndsBeforeTheNewCoreStarts() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        List<User> users = List.of(user("alice@x", ALL));
        int apiPort = RealV2ray.freePort();
        Process left = startByHand(inbounds.panelConfig(), users, apiPort);
        try (TestingHttpServer http = new TestingHttpServer();
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("alice@x", ""))) {
            ServedTraffic.assertServed(client, http, "alice@x", BYTES); // the earlier core counts alice's traffic
            new CoreRecord(ProcessIdentity.of(left.pid()).orElseThrow(), Optional.empty(),
                    RealV2ray.executable().toString(), apiPort, Set.of("api"), "V2FLY").writeTo(dir);
            TestingBackendContext context = context(inbounds.panelConfig(), users);

            try (XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(context)) {
                backend.start();

                assertThat(left.waitFor(10, TimeUnit.SECONDS)).as("the earlier core ended").isTrue();
                UsageLedger ledger = context.usage();
                assertThat(ledger.peek(TrafficOwner.USER, "alice@x", "downlink")).isGreaterThanOrEqualTo(3L * BYTES);
                assertThat(ledger.peek(TrafficOwner.USER, "alice@x", "uplink")).isPositive();
                assertThat(ledger.peek(TrafficOwner.INBOUND, "vless-in", "downlink")).isGreaterThanOrEqualTo(BYTES);
                assertThat(ledger.peek(TrafficOwner.OUTBOUND, "direct", "downlink")).isGreaterThanOrEqualTo(3L * BYTES);
                assertThat(LedgerContents.of(ledger)).as("never the API inbound's").noneSatisfy((name, bytes) ->
                        assertThat(name).startsWith("INBOUND api "));
                assertThat(CoreRecord.readFrom(dir).orElseThrow().core().pid()).as("the new core's record")
                        .isEqualTo(backend.corePid().orElseThrow());
                ServedTraffic.assertServed(client, http, "alice@x", BYTES);
            }
            assertThat(CoreRecord.readFrom(dir)).as("a stopped core leaves no record").isEmpty();
        } finally {
            left.destroyForcibly();
        }
    }

    @Test
    void aRecordedPidThatNowBelongsToAnotherProcessIsLeftAlone() throws Exception {
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            ProcessIdentity now = ProcessIdentity.of(other.pid()).orElseThrow();
            new CoreRecord(new ProcessIdentity(now.pid(), now.startTime() - 1), Optional.empty(),
                    RealV2ray.executable().toString(), RealV2ray.freePort(), Set.of("api"), "V2FLY").writeTo(dir);
            TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();

            try (XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(
                    context(inbounds.panelConfig(), List.of(user("alice@x", ALL))))) {
                backend.start();

                assertThat(now.isRunning()).isTrue();
                assertThat(CoreRecord.readFrom(dir).orElseThrow().core().pid()).isEqualTo(backend.corePid().orElseThrow());
            }
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void theRunningCoreIsRecordedWithItsLifelineAndCloseLeavesNeither() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        XrayBackend backend = (XrayBackend) new XrayBackendFactory().create(
                context(inbounds.panelConfig(), List.of(user("alice@x", ALL))));
        backend.start();
        CoreRecord record = CoreRecord.readFrom(dir).orElseThrow();
        ProcessIdentity lifeline = record.lifeline().orElseThrow();

        assertThat(record.core().pid()).isEqualTo(backend.corePid().orElseThrow());
        assertThat(record.apiPort()).isPositive();
        assertThat(record.flavor()).isEqualTo("V2FLY");
        assertThat(lifeline.isRunning()).isTrue();

        backend.close();

        assertThat(CoreRecord.readFrom(dir)).isEmpty();
        assertThat(record.core().isRunning()).isFalse();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> !lifeline.isRunning());
    }

    /** A core as an earlier node would have left it: started with the rendered config, not this JVM's backend's. */
    private Process startByHand(String panelConfig, List<User> users, int apiPort) throws Exception {
        PanelConfig config = PanelConfig.parse(panelConfig, Set.of());
        Path file = dir.resolve("earlier-core.json");
        try (OutputStream out = Files.newOutputStream(file)) {
            new XrayConfigRenderer(config, CoreFlavor.V2FLY).write(out, apiPort,
                    config.resolveAll(users, CoreFlavor.V2FLY).entries());
        }
        Process core = new ProcessBuilder(RealV2ray.executable().toString(), "-config", file.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("earlier-core.log").toFile())
                .start();
        await("the earlier core's API answers").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .ignoreExceptions().until(() -> RealV2ray.counters(apiPort, "") != null);
        return core;
    }

    private TestingBackendContext context(String config, List<User> users) {
        return new TestingBackendContext(config, users, Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString()), dir);
    }
}
