package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingBackendContext;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound latency measured by the node on the real v2fly core, with a local HTTP server as the test URL: the probe
 * goes through the core's probe inbound and each outbound in turn. An outbound that reaches the server is alive with
 * a delay; one that points at a closed port is not; a blackhole is not measured; an unknown name is NOT_FOUND; the
 * probe inbound shows in no stats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LatencyOnV2rayTest {

    private TestingHttpServer http;
    private TestingBackendContext context;
    private XrayBackend backend;

    @BeforeAll
    void startCore(@TempDir Path dir) throws Exception {
        http = new TestingHttpServer();
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        ObjectNode config = (ObjectNode) PanelConfig.JSON.readTree(inbounds.panelConfig());
        ObjectNode dead = PanelConfig.JSON.createObjectNode().put("tag", "dead").put("protocol", "socks");
        dead.putObject("settings").putArray("servers").addObject().put("address", "127.0.0.1")
                .put("port", RealV2ray.freePort());
        config.putArray("outbounds")
                .add(PanelConfig.JSON.createObjectNode().put("tag", "direct").put("protocol", "freedom"))
                .add(PanelConfig.JSON.createObjectNode().put("tag", "block").put("protocol", "blackhole"))
                .add(dead);
        context = new TestingBackendContext(config.toString(), List.of(TestUsers.user("alice@x", "vless-in")),
                Set.of(), Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString(), "XRAY_LATENCY_TEST_URL",
                        "http://127.0.0.1:" + http.port() + "/bytes/1", "XRAY_LATENCY_TIMEOUT", "3", "DEBUG", "true",
                        "GENERATED_CONFIG_PATH", dir.resolve("generated").toString()), dir);
        backend = (XrayBackend) new XrayBackendFactory().create(context);
        backend.start();
    }

    @AfterAll
    void stopCore() {
        if (backend != null) {
            backend.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void anOutboundThatReachesTheTestUrlIsAliveAndOneToAClosedPortIsNot() {
        long before = System.currentTimeMillis() / 1000;
        int mark = context.logLines().size();

        List<OutboundLatency> latencies = backend.outboundLatencies("");

        assertThat(latencies).extracting(OutboundLatency::name).containsExactly("direct", "dead");
        OutboundLatency direct = latencies.get(0);
        assertThat(direct.alive()).isTrue();
        assertThat(direct.delayMillis()).isPositive();
        assertThat(direct.link()).isEqualTo("http://127.0.0.1:" + http.port() + "/bytes/1");
        assertThat(direct.source()).isEqualTo("node-probe");
        assertThat(direct.lastTryTime()).isGreaterThanOrEqualTo(before);
        assertThat(direct.lastSeenTime()).isEqualTo(direct.lastTryTime());
        OutboundLatency dead = latencies.get(1);
        assertThat(dead.alive()).isFalse();
        assertThat(dead.lastSeenTime()).as("never seen").isZero();
        assertThat(dead.lastTryTime()).isGreaterThanOrEqualTo(before);
        // the core's own access log: each probe came from its outbound's address and went where its rule sent it
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            List<String> lines = context.logLines().subList(mark, context.logLines().size());
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("tcp:127.77.0.1:")
                    .contains("accepted tcp:127.0.0.1:" + http.port() + " [direct]"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("tcp:127.77.0.2:")
                    .contains("accepted tcp:127.0.0.1:" + http.port() + " [dead]"));
        });
    }

    @Test
    void aNamedOutboundIsMeasuredAloneAndAnUnknownOneIsNotFound() {
        assertThat(backend.outboundLatencies("dead")).singleElement()
                .satisfies(latency -> assertThat(latency.alive()).isFalse());
        assertThatThrownBy(() -> backend.outboundLatencies("nowhere"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> backend.outboundLatencies("block"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST));
    }

    @Test
    void theProbeInboundIsNeverReported() throws Exception {
        backend.outboundLatencies("direct");

        assertThat(backend.stats(new StatQuery(StatQuery.Scope.INBOUNDS, "", false))).extracting(Stat::name)
                .doesNotContain("pgnode-probe", "api");
        assertThatThrownBy(() -> backend.stats(new StatQuery(StatQuery.Scope.INBOUND, "pgnode-probe", false)))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
        assertThat(RealV2ray.counters(apiPort(), "inbound>>>pgnode-probe>>>traffic>>>uplink"))
                .as("the core counts the probe inbound; the node leaves it out").isNotEmpty();
    }

    /** The core's API port, from the rendered config (DEBUG writes it). */
    private int apiPort() throws java.io.IOException {
        return RenderedConfig.apiPort(PanelConfig.JSON.readTree(context.workDirectory().resolve("generated")
                .resolve("xray_config.json").toFile()));
    }
}
