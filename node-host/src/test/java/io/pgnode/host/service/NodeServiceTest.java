package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.testplugin.TestingBackendFactory;
import io.pgnode.host.usage.LedgerFile;
import io.pgnode.host.usage.UsageAccounting;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session rules on a clock the test moves: keepAlive, takeover, failed starts. */
class NodeServiceTest {

    @TempDir Path temp;

    private final AtomicLong clock = new AtomicLong();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private BackendRegistry registry;
    private NodeService service;

    @BeforeEach
    void startService() {
        Path plugins = TestingBackendPlugin.pluginsDir(temp);
        registry = BackendRegistry.load(plugins, "1.0.0");
        // the timer never fires during a test: the tests call stopIfIdle() themselves
        service = service(KeepAliveAction.STOP);
    }

    private NodeService service(KeepAliveAction keepAliveAction) {
        Path data = temp.resolve("data");
        NodeOptions options = new NodeOptions("1.0.0", data, 10, 0, keepAliveAction, Duration.ofHours(1),
                Optional.empty());
        LedgerFile ledgerFile = new LedgerFile(temp);
        return new NodeService(registry, names -> Map.of(), options,
                SystemSampler.start(Duration.ofHours(1), scheduler), HeapTrim.withSystemGc(scheduler, new RequestActivity(System::nanoTime)),
                new UsageAccounting(ledgerFile.load(), ledgerFile), clock::get, scheduler);
    }

    @AfterEach
    void stopService() {
        service.close();
        registry.close();
        scheduler.shutdownNow();
    }

    @Test
    void keepAliveStopsTheBackendOnlyAfterThatLongWithoutARequest() {
        service.start(start(10));

        advance(9_000);
        service.stopIfIdle();
        assertThat(service.info().started()).isTrue();

        service.recordActivity();
        advance(9_999);
        service.stopIfIdle();
        assertThat(service.info().started()).isTrue();

        advance(1);
        service.stopIfIdle();
        assertThat(service.info().started()).isFalse();
        assertThat(journal()).endsWith("close");
    }

    @Test
    void withKeepAliveActionKeepAnExpiredKeepAliveIsLoggedOnceAndTheBackendServes() {
        service.close();
        service = service(KeepAliveAction.KEEP);
        service.start(start(10));

        try (CapturedLogs logs = CapturedLogs.of(NodeService.class)) {
            advance(10_000);
            service.stopIfIdle();
            service.stopIfIdle();

            assertThat(service.info().started()).isTrue();
            assertThat(journal()).doesNotContain("close");
            assertThat(logs.lines()).filteredOn(line -> line.contains("KEEP_ALIVE_ACTION=keep")).singleElement()
                    .asString().startsWith("WARN No request for 10 s (keep_alive)");

            service.recordActivity();
            advance(10_000);
            service.stopIfIdle();
            assertThat(logs.lines()).filteredOn(line -> line.contains("KEEP_ALIVE_ACTION=keep")).hasSize(2);
        }
    }

    @Test
    void keepAliveZeroNeverStopsTheBackend() {
        service.start(start(0));

        advance(TimeUnit.DAYS.toMillis(365));
        service.stopIfIdle();

        assertThat(service.info().started()).isTrue();
        assertThat(journal()).doesNotContain("close");
    }

    @Test
    void startTakesOverAndClosesThePreviousBackend() {
        service.start(start(0));
        LogSubscription previousReader = service.subscribeLogs();

        NodeInfo info = service.start(start(0, "{\"coreVersion\": \"2.0.0\"}"));

        assertThat(info.coreVersion()).isEqualTo("2.0.0");
        assertThat(journal()).containsSubsequence("start tccl=plugin", "close", "start tccl=plugin");
        assertThat(previousReader.isFinished()).isTrue();
    }

    @Test
    void aBackendThatFailsToStartLeavesTheNodeStoppedAndIsClosed() {
        service.start(start(0));

        assertThatThrownBy(() -> service.start(start(0, "{\"fail\": {\"start\": \"FAILURE\"}}")))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_FAILURE))
                .hasMessage("testing backend refused start");

        assertThat(service.info().started()).isFalse();
        assertThat(journal()).containsSubsequence("start tccl=plugin", "close", "start tccl=plugin", "close");
        assertThatThrownBy(service::subscribeLogs).isInstanceOfSatisfying(NodeException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_NOT_STARTED));
    }

    @Test
    void aStartTheBackendRejectsChangesNothing() {
        service.start(start(0));

        assertThatThrownBy(() -> service.start(start(0, "this is not json")))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
        assertThatThrownBy(() -> service.start(new StartRequest(7, "", List.of(), 0, Set.of())))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_BACKEND_TYPE))
                .hasMessageContaining("installed: testing (type 100)");

        assertThat(service.info().started()).isTrue();
        assertThat(journal()).doesNotContain("close");
        List<Stat> outbounds = new ArrayList<>();
        service.stats(new StatQuery(StatQuery.Scope.OUTBOUNDS, "", false), outbounds::add);
        assertThat(outbounds).hasSize(1);
    }

    @Test
    void backendCallsNeedAStartedBackend() {
        assertThatThrownBy(service::stop).isInstanceOfSatisfying(NodeException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_NOT_STARTED));
        assertThatThrownBy(() -> service.syncUsers(List.of())).isInstanceOfSatisfying(NodeException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_NOT_STARTED));
        assertThat(service.info()).isEqualTo(new NodeInfo(false, "", "1.0.0", null));
    }

    @Test
    void anAnswerWithoutResetDuringABackgroundDrainWaitsForItAndMissesNoTraffic() throws Exception {
        List<Stat> answered = new CopyOnWriteArrayList<>();
        try (ServerSocket gate = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            service.start(start(0, "{\"traffic\": {\"1001\": [10, 20]}, \"drainGate\": " + gate.getLocalPort() + "}"));
            advance(TimeUnit.HOURS.toMillis(1)); // every owner's background drain is due
            CompletableFuture<Void> drain = CompletableFuture.runAsync(service::drainInBackground);
            try (Socket draining = gate.accept()) { // the fake core is empty now, the ledger not yet filled
                Thread poll = new Thread(() -> service.stats(new StatQuery(StatQuery.Scope.USERS, "", false),
                        answered::add), "poll without reset");
                poll.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> !poll.isAlive() || waitsForADrain(poll));
                draining.getOutputStream().write(1);
                poll.join(30_000);
                assertThat(poll.isAlive()).isFalse();
            }
            drain.get(30, TimeUnit.SECONDS);
        }
        assertThat(answered).as("the bytes on their way from the core to the ledger").containsExactlyInAnyOrder(
                new Stat("1001", Stat.UPLINK, Stat.TRAFFIC, 10), new Stat("1001", Stat.DOWNLINK, Stat.TRAFFIC, 20));
        assertThat(journal()).contains("drain [USER, INBOUND, OUTBOUND]");
    }

    /** Whether the thread is parked on the read side of a read-write lock: an answer held back by a drain. */
    private static boolean waitsForADrain(Thread thread) {
        return thread.getState() == Thread.State.WAITING && Arrays.stream(thread.getStackTrace()).anyMatch(frame ->
                frame.getClassName().equals("java.util.concurrent.locks.ReentrantReadWriteLock$ReadLock")
                        && frame.getMethodName().equals("lock"));
    }

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static StartRequest start(long keepAliveSeconds) {
        return start(keepAliveSeconds, "");
    }

    private static StartRequest start(long keepAliveSeconds, String config) {
        return new StartRequest(TestingBackendFactory.TYPE, config, List.of(), keepAliveSeconds, Set.of());
    }

    private List<String> journal() {
        return TestingBackendPlugin.journal(temp.resolve("data/backends/testing")).stream()
                .filter(line -> !line.startsWith("create"))
                .toList();
    }
}
