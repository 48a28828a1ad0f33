package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.host.testplugin.TestingBackendFactory;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import io.pgnode.proto.User;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private BackendRegistry registry;
    private NodeService service;

    @BeforeEach
    void startService() {
        Path plugins = TestingBackendPlugin.pluginsDir(temp);
        registry = BackendRegistry.load(plugins, "1.0.0");
        // the timer never fires during a test: the tests call stopIfIdle() themselves
        service = new NodeService(registry, names -> Map.of(), temp.resolve("data"), "1.0.0", 10,
                SystemSampler.start(Duration.ofHours(1)), clock::get, Duration.ofHours(1));
    }

    @AfterEach
    void stopService() {
        service.close();
        registry.close();
    }

    @Test
    void keepAliveStopsTheBackendOnlyAfterThatLongWithoutARequest() {
        service.start(start(10));

        advance(9_000);
        service.stopIfIdle();
        assertThat(service.baseInfo().getStarted()).isTrue();

        service.recordActivity();
        advance(9_999);
        service.stopIfIdle();
        assertThat(service.baseInfo().getStarted()).isTrue();

        advance(1);
        service.stopIfIdle();
        assertThat(service.baseInfo().getStarted()).isFalse();
        assertThat(journal()).endsWith("close");
    }

    @Test
    void keepAliveZeroNeverStopsTheBackend() {
        service.start(start(0));

        advance(TimeUnit.DAYS.toMillis(365));
        service.stopIfIdle();

        assertThat(service.baseInfo().getStarted()).isTrue();
        assertThat(journal()).doesNotContain("close");
    }

    @Test
    void startTakesOverAndClosesThePreviousBackend() {
        service.start(start(0));
        LogSubscription previousReader = service.subscribeLogs();

        BaseInfoResponse info = service.start(start(0, "{\"coreVersion\": \"2.0.0\"}"));

        assertThat(info.getCoreVersion()).isEqualTo("2.0.0");
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

        assertThat(service.baseInfo().getStarted()).isFalse();
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
        assertThatThrownBy(() -> service.start(Backend.newBuilder().setTypeValue(7).build()))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_BACKEND_TYPE))
                .hasMessageContaining("installed: testing (type 100)");
        assertThatThrownBy(() -> service.start(start(0).toBuilder().addUsers(User.newBuilder()).build()))
                .isInstanceOfSatisfying(NodeException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.MISSING_EMAIL));

        assertThat(service.baseInfo().getStarted()).isTrue();
        assertThat(journal()).doesNotContain("close");
        assertThat(service.stats(StatRequest.newBuilder().setType(StatType.Outbounds).build()).toMessage().getStatsCount())
                .isEqualTo(1);
    }

    @Test
    void backendCallsNeedAStartedBackend() {
        assertThatThrownBy(service::stop).isInstanceOfSatisfying(NodeException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_NOT_STARTED));
        assertThatThrownBy(() -> service.syncUsers(List.of())).isInstanceOfSatisfying(NodeException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.BACKEND_NOT_STARTED));
        assertThat(service.baseInfo()).isEqualTo(BaseInfoResponse.newBuilder().setNodeVersion("1.0.0").build());
    }

    private void advance(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    private static Backend start(long keepAliveSeconds) {
        return start(keepAliveSeconds, "");
    }

    private static Backend start(long keepAliveSeconds, String config) {
        return Backend.newBuilder()
                .setTypeValue(TestingBackendFactory.TYPE)
                .setConfig(config)
                .setKeepAlive(keepAliveSeconds)
                .build();
    }

    private List<String> journal() {
        return TestingBackendPlugin.journal(temp.resolve("data/backends/testing")).stream()
                .filter(line -> !line.startsWith("create"))
                .toList();
    }
}
