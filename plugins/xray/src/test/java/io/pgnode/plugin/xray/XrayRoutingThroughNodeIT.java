package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.grpc.GrpcErrors;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Latency;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.LatencyResponse;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RoutingRule;
import io.pgnode.proto.TestRouteRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The panel's routing page and latency view through a real node running the plugin's zip on the real v2fly core,
 * over REST and gRPC, with real proxied traffic: rules block and unblock a user's fetch, bad rules and the abilities
 * v2fly lacks are refused in the panel's terms, latency is measured through the core. The steps run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class XrayRoutingThroughNodeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BYTES = 20_000;

    private TestingHttpServer http;
    private TestingServerInbounds inbounds;
    private TestingV2rayClient client;
    private TestingNode node;
    private TestingLogStream coreLines;
    private int socksPort;
    private String config;

    @BeforeAll
    void startNode(@TempDir Path temp) throws Exception {
        http = new TestingHttpServer();
        node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .setting("XRAY_LATENCY_TEST_URL", "http://127.0.0.1:" + http.port() + "/bytes/1")
                .setting("XRAY_LATENCY_TIMEOUT", "3")
                .start();
        inbounds = TestingServerInbounds.onFreePorts();
        ObjectNode panel = (ObjectNode) JSON.readTree(inbounds.panelConfig());
        ObjectNode dead = JSON.createObjectNode().put("tag", "dead").put("protocol", "socks");
        dead.putObject("settings").putArray("servers").addObject().put("address", "127.0.0.1")
                .put("port", RealV2ray.freePort());
        panel.putArray("outbounds").add(JSON.createObjectNode().put("tag", "direct").put("protocol", "freedom"))
                .add(JSON.createObjectNode().put("tag", "block").put("protocol", "blackhole")).add(dead);
        ObjectNode rule = panel.putObject("routing").putArray("rules").addObject().put("type", "field")
                .put("outboundTag", "direct").put("ruleTag", "panel");
        rule.putArray("domain").add("full:never.example");
        config = panel.toString();
        client = TestingV2rayClient.start(inbounds.routes("alice@x", ""));
        socksPort = client.socksPort(TestingServerInbounds.route("alice@x", "", "vless"));
    }

    @AfterAll
    void stopNode() throws Exception {
        for (AutoCloseable open : new AutoCloseable[] {coreLines, client, node, http}) {
            if (open != null) {
                open.close();
            }
        }
    }

    @Test
    @Order(1)
    void beforeStartEveryRoutingCallIsNotStartedYet() {
        TestingRestClient.Response rest = node.rest().call("GET", "/routing/rules", new byte[0]);
        assertThat(rest.status()).isEqualTo(503);
        assertThat(rest.errorMessage()).contains("core is not started yet");
        assertGrpcError(() -> node.grpc().addRoutingRule(add("{\"outboundTag\": \"block\"}")), Status.Code.UNAVAILABLE,
                "BACKEND_NOT_STARTED", "core is not started yet");
    }

    @Test
    @Order(2)
    void thePanelsRulesAreListedTheSameOnBothTransports() throws IOException {
        node.rest().start(startXray(config, panelUser("alice@x", "", "vless-in")));
        coreLines = node.rest().logs(false);

        List<RoutingRule> viaRest = node.rest().routingRules().getRulesList();

        assertThat(viaRest).containsExactly(rule("direct", "panel"));
        assertThat(node.grpc().listRoutingRules(Empty.getDefaultInstance()).getRulesList()).isEqualTo(viaRest);
        assertThat(fetch()).returns(true, Socks5Fetch.Outcome::delivered);
    }

    @Test
    @Order(3)
    void aRuleAddedOverRestBlocksTheFetchAndItsRemovalOverGrpcLetsItThrough() throws IOException {
        node.rest().addRoutingRule(add("{\"outboundTag\": \"block\", \"ruleTag\": \"no-server\", \"ip\": [\"127.0.0.1\"],"
                + " \"port\": \"" + http.port() + "\"}"));

        assertThat(node.grpc().listRoutingRules(Empty.getDefaultInstance()).getRulesList())
                .containsExactly(rule("direct", "panel"), rule("block", "no-server"));
        int mark = coreLines.lines().size();
        assertThat(fetch()).as("the blackhole closes the connection").returns(true, Socks5Fetch.Outcome::closed);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                assertThat(after(mark)).anySatisfy(line -> assertThat(line)
                        .contains("accepted tcp:127.0.0.1:" + http.port() + " [block]")));

        node.grpc().removeRoutingRule(RemoveRoutingRuleRequest.newBuilder().setRuleTag("no-server").build());

        assertThat(node.rest().routingRules().getRulesList()).containsExactly(rule("direct", "panel"));
        assertThat(fetch())
                .as("the user is served by the restarted core").returns(true, Socks5Fetch.Outcome::delivered);
        assertThat(node.rest().call("DELETE", "/routing/rules",
                RemoveRoutingRuleRequest.newBuilder().setRuleTag("no-server").build()).status())
                .as("a retried remove succeeds").isEqualTo(200);
    }

    @Test
    @Order(4)
    void badRulesAreRefusedOnBothTransportsAndChangeNothing() {
        TestingRestClient.Response rest = node.rest().call("PUT", "/routing/rules",
                add("{\"outboundTag\": \"nowhere\"}"));
        assertThat(rest.status()).isEqualTo(400);
        assertThat(rest.errorCode()).isEqualTo("INVALID_REQUEST");
        assertThat(rest.errorMessage()).contains("the config has no outbound \"nowhere\"");
        assertGrpcError(() -> node.grpc().addRoutingRule(
                add("{\"outboundTag\": \"direct\", \"ruleTag\": \"panel\", \"port\": 53}")),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "ruleTag \"panel\" exists already");
        assertGrpcError(() -> node.grpc().removeRoutingRule(RemoveRoutingRuleRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "needs its rule tag");

        assertThat(node.rest().routingRules().getRulesList()).containsExactly(rule("direct", "panel"));
    }

    @Test
    @Order(5)
    void routeTestsAndBalancersAreNotImplementedOnV2fly() {
        for (String[] route : new String[][] {{"POST", "/routing/test"}, {"POST", "/routing/balancer"},
                {"PUT", "/routing/balancer/override"}}) {
            TestingRestClient.Response rest = node.rest().call(route[0], route[1], new byte[0]);
            assertThat(rest.status()).as(route[1]).isEqualTo(501);
            assertThat(rest.errorCode()).isEqualTo("UNSUPPORTED");
            assertThat(rest.errorMessage()).contains("V2Ray 4.34.0");
        }
        assertGrpcError(() -> node.grpc().testRoute(TestRouteRequest.newBuilder().setInboundTag("vless-in").build()),
                Status.Code.UNIMPLEMENTED, "UNSUPPORTED", "V2Ray 4.34.0");
        assertGrpcError(() -> node.grpc().getBalancerInfo(BalancerInfoRequest.newBuilder().setTag("b").build()),
                Status.Code.UNIMPLEMENTED, "UNSUPPORTED", "V2Ray 4.34.0");
        assertGrpcError(() -> node.grpc().overrideBalancerTarget(OverrideBalancerTargetRequest.newBuilder()
                .setBalancerTag("b").setTarget("direct").build()), Status.Code.UNIMPLEMENTED, "UNSUPPORTED",
                "V2Ray 4.34.0");
    }

    @Test
    @Order(6)
    void latencyIsMeasuredThroughTheCoreOnBothTransports() {
        LatencyResponse viaRest = node.rest().outboundsLatency(LatencyRequest.getDefaultInstance());

        assertThat(viaRest.getLatenciesList()).extracting(Latency::getName).containsExactly("direct", "dead");
        Latency direct = viaRest.getLatencies(0);
        assertThat(direct.getAlive()).isTrue();
        assertThat(direct.getDelay()).isPositive();
        assertThat(direct.getSource()).isEqualTo("node-probe");
        assertThat(direct.getLink()).isEqualTo("http://127.0.0.1:" + http.port() + "/bytes/1");
        assertThat(viaRest.getLatencies(1).getAlive()).isFalse();
        assertThat(node.grpc().getOutboundsLatency(LatencyRequest.newBuilder().setName("dead").build())
                .getLatenciesList()).singleElement().satisfies(latency -> {
                    assertThat(latency.getName()).isEqualTo("dead");
                    assertThat(latency.getAlive()).isFalse();
                });

        TestingRestClient.Response unknown = node.rest().call("GET", "/stats/latency",
                LatencyRequest.newBuilder().setName("nowhere").build());
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("NOT_FOUND");
        assertGrpcError(() -> node.grpc().getOutboundsLatency(LatencyRequest.newBuilder().setName("nowhere").build()),
                Status.Code.NOT_FOUND, "NOT_FOUND", "no outbound \"nowhere\"");
    }

    @Test
    @Order(7)
    void aStopEndsTheRulesAddedAtRuntime() {
        node.rest().addRoutingRule(add("{\"outboundTag\": \"block\", \"ruleTag\": \"runtime\", \"inboundTag\": [\"vless-in\"]}"));
        node.rest().stop();
        assertThat(node.rest().call("GET", "/routing/rules", new byte[0]).status()).isEqualTo(503);

        node.rest().start(startXray(config, panelUser("alice@x", "", "vless-in")));

        assertThat(node.rest().routingRules().getRulesList()).containsExactly(rule("direct", "panel"));
    }

    private Socks5Fetch.Outcome fetch() throws IOException {
        return Socks5Fetch.fetch(socksPort, http.port(), BYTES, Duration.ofSeconds(10));
    }

    private List<String> after(int mark) {
        List<String> lines = coreLines.lines();
        return lines.subList(Math.min(mark, lines.size()), lines.size());
    }

    private static AddRoutingRuleRequest add(String json) {
        return AddRoutingRuleRequest.newBuilder().setRule(json).build();
    }

    private static RoutingRule rule(String outbound, String tag) {
        return RoutingRule.newBuilder().setOutboundTag(outbound).setRuleTag(tag).build();
    }

    private static void assertGrpcError(Runnable call, Status.Code code, String errorCode, String sentence) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(error).as("a gRPC error").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(code);
        assertThat(error.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo(errorCode);
        assertThat(error.getStatus().getDescription()).contains(sentence);
    }
}
