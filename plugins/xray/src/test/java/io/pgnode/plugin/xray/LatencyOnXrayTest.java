package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendContext;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgnode.plugin.xray.api.OutboundStatus;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound latency on Xray with an observatory in the panel's config, against the fake of its ObservatoryService:
 * the observatory's own results where it reports an outbound, the node's probe for the others.
 */
class LatencyOnXrayTest {

    private static final String CONFIG = "{\"inbounds\":[],"
            + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"},{\"tag\":\"block\",\"protocol\":\"blackhole\"},"
            + "{\"tag\":\"proxy\",\"protocol\":\"vmess\",\"settings\":{}}],"
            + "\"observatory\":{\"subjectSelector\":[\"proxy\"],\"probeURL\":\"https://probe.example/204\"}}";

    private static final XrayBackend.Tuning FAST = new XrayBackend.Tuning(
            new CoreWatchdog.Timing(Duration.ofMillis(100), Duration.ofMillis(500), 3, Duration.ofSeconds(1)),
            Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(1));

    @TempDir
    Path dir;

    private TestingXrayApi api;
    private XrayBackend backend;

    @AfterEach
    void stop() throws Exception {
        if (backend != null) {
            backend.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private void start() throws Exception {
        api = new TestingXrayApi(true, true);
        Path core = TestingCoreExecutable.write(dir, "xray", TestingCoreExecutable.XRAY_VERSION);
        Map<String, String> settings = Map.of("XRAY_EXECUTABLE_PATH", core.toString(), "XRAY_LATENCY_TIMEOUT", "2");
        backend = new XrayBackend(new TestingBackendContext(CONFIG, List.of(), Set.of(), settings, dir),
                XraySettings.from(settings), PanelConfig.parse(CONFIG, Set.of()), api.connector(), FAST, "");
        backend.start();
    }

    @Test
    void theObservatorysResultsAnswerForWhatItObservesAndTheNodeProbesTheRest() throws Exception {
        start();
        api.router().observe(List.of(OutboundStatus.newBuilder().setOutboundTag("proxy").setAlive(true).setDelay(42)
                .setLastSeenTime(1_700_000_100L).setLastTryTime(1_700_000_110L).build()));

        List<OutboundLatency> latencies = backend.outboundLatencies("");

        assertThat(latencies).extracting(OutboundLatency::name).as("no blackhole").containsExactly("direct", "proxy");
        assertThat(latencies.get(1)).isEqualTo(new OutboundLatency("proxy", true, 42, "https://probe.example/204",
                1_700_000_100L, 1_700_000_110L, "xray-observatory"));
        OutboundLatency direct = latencies.get(0);
        assertThat(direct.source()).isEqualTo("node-probe");
        assertThat(direct.link()).isEqualTo("https://www.gstatic.com/generate_204");
        assertThat(direct.alive()).as("the fake core serves no probe inbound").isFalse();
        assertThat(direct.lastTryTime()).isPositive();
        assertThat(api.router().calls("GetOutboundStatus")).hasSize(1);
        JsonNode config = TestingCoreExecutable.lastConfig(dir);
        List<String> services = new ArrayList<>();
        config.path("api").path("services").forEach(s -> services.add(s.asText()));
        assertThat(services).contains("RoutingService", "ObservatoryService");
    }

    @Test
    void aNamedOutboundIsMeasuredAloneAndOnesWithoutLatencyAreRefused() throws Exception {
        start();
        api.router().observe(List.of(OutboundStatus.newBuilder().setOutboundTag("proxy").setAlive(false)
                .setDelay(99_999_999).setLastTryTime(1_700_000_110L).build()));

        assertThat(backend.outboundLatencies("proxy")).singleElement().satisfies(latency -> {
            assertThat(latency.alive()).isFalse();
            assertThat(latency.source()).isEqualTo("xray-observatory");
        });
        assertThatThrownBy(() -> backend.outboundLatencies("nowhere"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND))
                .hasMessageContaining("no outbound \"nowhere\"");
        assertThatThrownBy(() -> backend.outboundLatencies("block"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining("blackhole");
    }

    @Test
    void aProbeResultIsKeptBrieflySoThatPollingStartsNoStormAndEachProbeComesFromItsOutboundsAddress() throws Exception {
        start();
        JsonNode probe = inbound(TestingCoreExecutable.lastConfig(dir), "pgnode-probe");
        assertThat(probe.path("listen").asText()).isEqualTo("127.0.0.2");
        assertThat(probe.path("protocol").asText()).isEqualTo("socks");
        List<String> sources = new CopyOnWriteArrayList<>();
        // the fake core serves no probe inbound: the test listens in its place and counts who connects
        try (ServerSocket inbound = new ServerSocket(probe.path("port").asInt(), 50, InetAddress.getByName("127.0.0.2"))) {
            Thread acceptor = new Thread(() -> {
                while (!inbound.isClosed()) {
                    try (Socket connection = inbound.accept()) {
                        sources.add(connection.getInetAddress().getHostAddress());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            for (int i = 0; i < 20; i++) {
                assertThat(backend.outboundLatencies("direct")).singleElement()
                        .satisfies(latency -> assertThat(latency.alive()).isFalse());
            }
            backend.outboundLatencies("");
        }

        assertThat(sources).as("one probe of direct for 20 polls, then one of proxy").containsExactly("127.77.0.1",
                "127.77.0.2");
    }

    private static JsonNode inbound(JsonNode config, String tag) {
        for (JsonNode inbound : config.path("inbounds")) {
            if (inbound.path("tag").asText().equals(tag)) {
                return inbound;
            }
        }
        throw new AssertionError("no inbound " + tag);
    }
}
