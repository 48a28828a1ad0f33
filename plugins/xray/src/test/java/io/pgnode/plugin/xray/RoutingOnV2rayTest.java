package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.host.CapturedLogs;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.RouteTest;
import io.pgnode.spi.RoutingRule;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing on the real v2fly core (no routing API: every change restarts it), with real proxied traffic: a rule that
 * sends the local test server's address to a blackhole blocks a user's fetch, in the core's own words (its access
 * log names the blackhole), and its removal lets the fetch through again; the users, their counters and what the
 * docs say of live connections hold across each restart. One core serves the class; the tests run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingOnV2rayTest {

    private static final int BYTES = 20_000;

    private TestingHttpServer blocked;
    private TestingHttpServer other;
    private TestingBackendContext context;
    private XrayBackend backend;
    private TestingV2rayClient client;
    private int socksPort;

    @BeforeAll
    void startCore(@TempDir Path dir) throws Exception {
        blocked = new TestingHttpServer();
        other = new TestingHttpServer();
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        ObjectNode config = (ObjectNode) PanelConfig.JSON.readTree(inbounds.panelConfig());
        config.putArray("outbounds").add(PanelConfig.JSON.createObjectNode().put("tag", "direct")
                .put("protocol", "freedom")).add(PanelConfig.JSON.createObjectNode().put("tag", "block")
                .put("protocol", "blackhole"));
        context = new TestingBackendContext(config.toString(), List.of(user("alice@x", "vless-in")), Set.of(),
                Map.of("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString(), "XRAY_DRAIN_INTERVAL", "3600"), dir);
        backend = (XrayBackend) new XrayBackendFactory().create(context);
        backend.start();
        client = TestingV2rayClient.start(inbounds.routes("alice@x", ""));
        socksPort = client.socksPort(TestingServerInbounds.route("alice@x", "", "vless"));
    }

    @AfterAll
    void stopCore() throws Exception {
        if (client != null) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
        for (TestingHttpServer server : new TestingHttpServer[] {blocked, other}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    @Order(1)
    void aRuleToTheBlackholeBlocksTheFetchInTheCoresWordsAfterARestartThatKeepsUsersCountersAndCutsConnections()
            throws Exception {
        assertThat(Socks5Fetch.fetch(socksPort, blocked.port(), BYTES, Duration.ofSeconds(10)))
                .returns(true, Socks5Fetch.Outcome::delivered);
        long pid = backend.corePid().orElseThrow();
        long downlinkBefore = downlink("alice@x");
        assertThat(downlinkBefore).isGreaterThanOrEqualTo(BYTES);
        try (Socket open = openThroughProxy(other.port()); CapturedLogs logs = CapturedLogs.of("io.pgnode")) {
            backend.routing().addRule("{\"outboundTag\": \"block\", \"ruleTag\": \"no-test-server\","
                    + " \"ip\": [\"127.0.0.1\"], \"port\": " + blocked.port() + "}", false);

            assertThat(backend.corePid().orElseThrow()).as("v2fly changes rules by restarting").isNotEqualTo(pid);
            assertThat(backend.restartCount()).isEqualTo(1);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("core restarted (routing rule"
                    + " \"no-test-server\" to \"block\" added)"));
            assertThat(closedWithin(open, Duration.ofSeconds(20))).as("the restart ends live connections").isTrue();
        }
        int mark = context.logLines().size();

        assertThat(Socks5Fetch.fetch(socksPort, blocked.port(), BYTES, Duration.ofSeconds(10)))
                .as("the blackhole closes the connection").returns(true, Socks5Fetch.Outcome::closed);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(linesAfter(mark)).anySatisfy(line -> assertThat(line)
                        .contains("accepted tcp:127.0.0.1:" + blocked.port() + " [block]")));
        assertThat(Socks5Fetch.fetch(socksPort, other.port(), BYTES, Duration.ofSeconds(10)))
                
                        .as("alice is still a user of the new core, and other destinations pass").returns(true, Socks5Fetch.Outcome::delivered);
        assertThat(downlink("alice@x")).as("the first core's counts were kept")
                .isGreaterThanOrEqualTo(downlinkBefore + BYTES);
        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("block", "no-test-server"));
    }

    @Test
    @Order(2)
    void removingTheRuleLetsTheFetchThroughAgain() throws Exception {
        backend.routing().removeRule("no-test-server");
        int mark = context.logLines().size();

        assertThat(Socks5Fetch.fetch(socksPort, blocked.port(), BYTES, Duration.ofSeconds(10)))
                .returns(true, Socks5Fetch.Outcome::delivered);
        assertThat(backend.restartCount()).isEqualTo(2);
        assertThat(backend.routing().rules()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(linesAfter(mark)).anySatisfy(line -> assertThat(line)
                        .contains("accepted tcp:127.0.0.1:" + blocked.port() + " [direct]")));

        backend.routing().removeRule("no-test-server");
        assertThat(backend.restartCount()).as("a retried remove changes nothing").isEqualTo(2);
    }

    @Test
    @Order(3)
    void aRuleTheCoreRefusesIsAnInvalidRequestInItsWordsAndThePreviousRulesServeAgain() throws Exception {
        backend.routing().addRule("{\"outboundTag\": \"direct\", \"ruleTag\": \"keep\", \"domain\": [\"keep.example\"]}",
                false);

        // Debian's v2ray ships no geosite.dat
        assertThatThrownBy(() -> backend.routing().addRule("{\"outboundTag\": \"block\", \"ruleTag\": \"cn\","
                + " \"domain\": [\"geosite:cn\"]}", false))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining("the core refused the config with this rule")
                .hasMessageContaining("geosite");

        assertThat(backend.routing().rules()).containsExactly(new RoutingRule("direct", "keep"));
        assertThat(backend.isRunning()).isTrue();
        assertThat(Socks5Fetch.fetch(socksPort, blocked.port(), BYTES, Duration.ofSeconds(10)))
                .returns(true, Socks5Fetch.Outcome::delivered);
    }

    @Test
    @Order(4)
    void theRestIsNotImplementedOnV2fly() {
        for (Runnable call : List.<Runnable>of(
                () -> backend.routing().balancerInfo("any"),
                () -> backend.routing().overrideBalancerTarget("any", "direct"),
                () -> backend.routing().testRoute(new RouteTest("vless-in", "tcp", "127.0.0.1", "", 80, "", "",
                        Map.of(), List.of(), false)))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(BackendException.class,
                            e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNSUPPORTED))
                    .hasMessageContaining("V2Ray 4.34.0");
        }
        assertThatThrownBy(() -> backend.routing().addRule("{\"outboundTag\": \"direct\", \"attrs\": {\"a\": \"b\"}}",
                false))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_REQUEST))
                .hasMessageContaining("Starlark");
    }

    /** What the node would answer for the user: the core's live counter plus what was handed to the node's ledger. */
    private long downlink(String email) {
        long live = backend.stats(new StatQuery(StatQuery.Scope.USER, email, false)).stream()
                .filter(stat -> stat.type().equals(Stat.DOWNLINK)).mapToLong(Stat::value).sum();
        return live + context.usage().peek(TrafficOwner.USER, email, Stat.DOWNLINK);
    }

    private List<String> linesAfter(int mark) {
        List<String> lines = context.logLines();
        return lines.subList(Math.min(mark, lines.size()), lines.size());
    }

    /** A connection through alice's route to the HTTP server, opened and left idle. */
    private Socket openThroughProxy(int httpPort) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), socksPort);
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(new byte[] {5, 1, 0});
        assertThat(in.readNBytes(2)).containsExactly(5, 0);
        out.write(new byte[] {5, 1, 0, 1, 127, 0, 0, 1, (byte) (httpPort >> 8), (byte) httpPort});
        byte[] reply = in.readNBytes(10);
        assertThat(reply[1]).as("CONNECT accepted").isZero();
        // a first request proves the path works before the restart
        out.write(("GET /bytes/10 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
        assertThat(status).startsWith("HTTP/1.1 200");
        return socket;
    }

    /** Whether the peer closed or reset the connection (read gives end of stream or fails) within the time. */
    private static boolean closedWithin(Socket socket, Duration limit) throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout(500);
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException stillOpen) {
                // the rest of the first answer has been read; keep waiting
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }
}
