package io.pgnode.host.grpc;

import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.Empty;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RouteResult;
import io.pgnode.proto.RoutingRule;
import io.pgnode.proto.TestRouteRequest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The six routing RPCs over TLS with real grpc-java stubs, against the testing plugin's in-memory routing. */
class RoutingGrpcTest {

    @TempDir static Path temp;

    private static TestingNode node;
    private static NodeServiceGrpc.NodeServiceBlockingStub grpc;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        grpc = node.grpc();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackend() {
        grpc.start(start("{\"coreVersion\": \"" + System.nanoTime() + "\"}", user("a@x", "in-1")));
    }

    @Test
    void rulesAreListedAddedReplacedAndRemoved() {
        grpc.addRoutingRule(add("{\"outboundTag\": \"block\", \"ruleTag\": \"ads\"}", false));
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"), rule("block", "ads"));

        grpc.removeRoutingRule(RemoveRoutingRuleRequest.newBuilder().setRuleTag("ads").build());
        grpc.removeRoutingRule(RemoveRoutingRuleRequest.newBuilder().setRuleTag("ads").build()); // a retry succeeds
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"));

        grpc.addRoutingRule(add("{\"balancerTag\": \"balancer\", \"ruleTag\": \"all\"}", true));
        assertThat(rules()).containsExactly(rule("balancer", "all"));
    }

    @Test
    void balancersAndRouteTests() {
        grpc.overrideBalancerTarget(OverrideBalancerTargetRequest.newBuilder().setBalancerTag("balancer")
                .setTarget("block").build());
        assertThat(grpc.getBalancerInfo(BalancerInfoRequest.newBuilder().setTag("balancer").build()))
                .satisfies(info -> {
                    assertThat(info.getOverrideTarget()).isEqualTo("block");
                    assertThat(info.getPrincipleTargetList()).containsExactly("direct", "block");
                });

        RouteResult result = grpc.testRoute(TestRouteRequest.newBuilder().setInboundTag("in-1").setNetwork("udp")
                .setTargetDomain("example.com").build());
        assertThat(result).isEqualTo(RouteResult.newBuilder().setOutboundTag("direct").setInboundTag("in-1")
                .setNetwork("udp").setTargetDomain("example.com").build());
    }

    @Test
    void badInputIsInvalidArgumentAndChangesNothing() {
        assertStatus(() -> grpc.addRoutingRule(add("[1, 2]", false)), Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST",
                "a rule is a JSON object");
        assertStatus(() -> grpc.addRoutingRule(add("{\"outboundTag\": \"nowhere\"}", true)),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "no outbound or balancer \"nowhere\"");
        assertStatus(() -> grpc.removeRoutingRule(RemoveRoutingRuleRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "needs its rule tag");
        assertStatus(() -> grpc.testRoute(TestRouteRequest.newBuilder().setTargetPort(-1).build()),
                Status.Code.INVALID_ARGUMENT, "INVALID_REQUEST", "target_port 4294967295 is not a port");
        assertStatus(() -> grpc.getBalancerInfo(BalancerInfoRequest.newBuilder().setTag("other").build()),
                Status.Code.NOT_FOUND, "NOT_FOUND", "no balancer \"other\"");

        assertThat(rules()).containsExactly(rule("direct", "panel-rule"));
    }

    @Test
    void aBackendWithoutRoutingIsUnimplementedOnEveryRpc() {
        grpc.start(start("{\"abilities\": false}"));

        calls().forEach((name, call) -> assertStatus(call, Status.Code.UNIMPLEMENTED, "UNSUPPORTED",
                "this backend does not support"));
    }

    @Test
    void everyRpcIsUnavailableWithoutABackend() {
        grpc.stop(Empty.getDefaultInstance());
        int mark = journal(node).size();

        calls().forEach((name, call) -> assertStatus(call, Status.Code.UNAVAILABLE, "BACKEND_NOT_STARTED",
                "core is not started yet"));
        assertThat(journal(node)).hasSize(mark);
    }

    private static Map<String, Runnable> calls() {
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("ListRoutingRules", () -> grpc.listRoutingRules(Empty.getDefaultInstance()));
        calls.put("AddRoutingRule", () -> grpc.addRoutingRule(add("{\"outboundTag\": \"direct\"}", false)));
        calls.put("RemoveRoutingRule", () -> grpc.removeRoutingRule(
                RemoveRoutingRuleRequest.newBuilder().setRuleTag("r").build()));
        calls.put("GetBalancerInfo", () -> grpc.getBalancerInfo(BalancerInfoRequest.newBuilder().setTag("balancer")
                .build()));
        calls.put("OverrideBalancerTarget", () -> grpc.overrideBalancerTarget(OverrideBalancerTargetRequest.newBuilder()
                .setBalancerTag("balancer").setTarget("direct").build()));
        calls.put("TestRoute", () -> grpc.testRoute(TestRouteRequest.getDefaultInstance()));
        return calls;
    }

    private static List<RoutingRule> rules() {
        return grpc.listRoutingRules(Empty.getDefaultInstance()).getRulesList();
    }

    private static RoutingRule rule(String outbound, String tag) {
        return RoutingRule.newBuilder().setOutboundTag(outbound).setRuleTag(tag).build();
    }

    private static AddRoutingRuleRequest add(String json, boolean reset) {
        return AddRoutingRuleRequest.newBuilder().setRule(json).setShouldReset(reset).build();
    }

    private static void assertStatus(Runnable call, Status.Code code, String errorCode, String sentence) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(error).as("a status").isNotNull();
        GrpcApiTest.assertStatus(error, code, errorCode);
        assertThat(error.getStatus().getDescription()).contains(sentence);
    }
}
