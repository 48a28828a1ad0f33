package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.journalAfter;
import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.TestingRestClient.Response;
import io.pgnode.proto.AddRoutingRuleRequest;
import io.pgnode.proto.BalancerInfoRequest;
import io.pgnode.proto.BalancerInfoResponse;
import io.pgnode.proto.OverrideBalancerTargetRequest;
import io.pgnode.proto.RemoveRoutingRuleRequest;
import io.pgnode.proto.RouteResult;
import io.pgnode.proto.RoutingRule;
import io.pgnode.proto.TestRouteRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The six routing routes over TLS with a real HTTP/1.1 client, against the testing plugin's in-memory routing:
 * what the panel's routing page sends, the refusals (bad input, a backend without routing, no backend) and that
 * a refusal changes nothing.
 */
class RoutingRestTest {

    /** Each routing route with a request body the testing backend would take. */
    static final List<Route> ROUTES = List.of(
            new Route("GET", "/routing/rules", null),
            new Route("PUT", "/routing/rules", add("{\"outboundTag\": \"block\", \"ruleTag\": \"r\"}", false)),
            new Route("DELETE", "/routing/rules", remove("r")),
            new Route("POST", "/routing/balancer", BalancerInfoRequest.newBuilder().setTag("balancer").build()),
            new Route("POST", "/routing/test", TestRouteRequest.newBuilder().setTargetDomain("example.com").build()),
            new Route("PUT", "/routing/balancer/override", override("balancer", "direct")));

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;

    record Route(String method, String path, Message body) {}

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        rest = node.rest();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackend() {
        rest.start(start("{\"coreVersion\": \"" + System.nanoTime() + "\"}", user("a@x", "in-1")));
    }

    @Test
    void rulesAreListedAddedAfterTheOthersReplacedAndRemovedByTag() {
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"));

        rest.addRoutingRule(add("{\"outboundTag\": \"block\", \"ruleTag\": \"ads\", \"domain\": [\"ads.example\"]}",
                false));
        rest.addRoutingRule(add("{\"balancerTag\": \"balancer\", \"ruleTag\": \"spread\"}", false));
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"), rule("block", "ads"),
                rule("balancer", "spread"));

        rest.removeRoutingRule(remove("ads"));
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"), rule("balancer", "spread"));

        rest.addRoutingRule(add("{\"outboundTag\": \"direct\", \"ruleTag\": \"only\"}", true));
        assertThat(rules()).containsExactly(rule("direct", "only"));
        assertThat(journal(node)).contains(
                "routing add {\"outboundTag\": \"direct\", \"ruleTag\": \"only\"} replaceAll=true",
                "routing remove ads");
    }

    @Test
    void removingATagNoRuleHasSucceedsAndChangesNothing() {
        Response response = rest.call("DELETE", "/routing/rules", remove("never-added"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"));
    }

    @Test
    void badRulesAre400WithTheBackendsSentenceAndChangeNothing() {
        rest.addRoutingRule(add("{\"outboundTag\": \"block\", \"ruleTag\": \"taken\"}", false));

        assertError(rest.call("PUT", "/routing/rules", add("{not json", false)), 400, "INVALID_REQUEST",
                "the rule is not JSON");
        assertError(rest.call("PUT", "/routing/rules", add("{\"outboundTag\": \"nowhere\"}", false)), 400,
                "INVALID_REQUEST", "no outbound or balancer \"nowhere\"");
        assertError(rest.call("PUT", "/routing/rules", add("{\"outboundTag\": \"direct\", \"ruleTag\": \"taken\"}",
                false)), 400, "INVALID_REQUEST", "\"taken\" exists already");
        assertError(rest.call("DELETE", "/routing/rules", remove("")), 400, "INVALID_REQUEST", "needs its rule tag");

        assertThat(rules()).containsExactly(rule("direct", "panel-rule"), rule("block", "taken"));
    }

    @Test
    void balancersAreReadAndOverridden() {
        BalancerInfoRequest balancer = BalancerInfoRequest.newBuilder().setTag("balancer").build();
        assertThat(rest.balancerInfo(balancer)).isEqualTo(BalancerInfoResponse.newBuilder()
                .addPrincipleTarget("direct").addPrincipleTarget("block").build());

        rest.overrideBalancerTarget(override("balancer", "block"));
        assertThat(rest.balancerInfo(balancer).getOverrideTarget()).isEqualTo("block");

        rest.overrideBalancerTarget(override("balancer", ""));
        assertThat(rest.balancerInfo(balancer).getOverrideTarget()).isEmpty();
        assertError(rest.call("POST", "/routing/balancer", BalancerInfoRequest.newBuilder().setTag("other").build()),
                404, "NOT_FOUND", "no balancer \"other\"");
        assertError(rest.call("PUT", "/routing/balancer/override", override("balancer", "nowhere")), 400,
                "INVALID_REQUEST", "no outbound \"nowhere\"");
    }

    @Test
    void aRouteTestHandsTheBackendEveryFieldAndAnswersItsResult() {
        TestRouteRequest request = TestRouteRequest.newBuilder()
                .setInboundTag("in-1").setNetwork("tcp").setTargetIp("203.0.113.9").setTargetDomain("x.blocked")
                .setTargetPort(443).setProtocol("tls").setUser("a@x").putAttributes(":method", "GET")
                .addFieldSelectors("outbound").setPublishResult(true).build();
        int mark = journal(node).size();

        RouteResult result = rest.testRoute(request);

        assertThat(result).isEqualTo(RouteResult.newBuilder().setOutboundTag("block").setInboundTag("in-1")
                .setNetwork("tcp").setTargetDomain("x.blocked").build());
        assertThat(journalAfter(node, mark)).containsExactly("routing test RouteTest[inboundTag=in-1, network=tcp,"
                + " targetIp=203.0.113.9, targetDomain=x.blocked, targetPort=443, protocol=tls, user=a@x,"
                + " attributes={:method=GET}, fieldSelectors=[outbound], publishResult=true]");
    }

    @Test
    void aRouteTestWithAPortBeyond65535OrAnUnknownNetworkIs400() {
        int mark = journal(node).size();
        assertError(rest.call("POST", "/routing/test", TestRouteRequest.newBuilder().setTargetPort(70_000).build()),
                400, "INVALID_REQUEST", "target_port 70000 is not a port");
        assertThat(journalAfter(node, mark)).as("refused before the backend").isEmpty();
        assertError(rest.call("POST", "/routing/test", TestRouteRequest.newBuilder().setNetwork("sctp").build()),
                400, "INVALID_REQUEST", "network must be tcp or udp");
    }

    @Test
    void garbageBodiesAre400() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01};
        for (Route route : ROUTES) {
            if (route.body() != null) {
                Response response = rest.call(route.method(), route.path(), garbage);
                assertError(response, 400, "INVALID_PROTOBUF", "not a valid");
            }
        }
        assertThat(rules()).containsExactly(rule("direct", "panel-rule"));
    }

    @Test
    void aBackendWithoutRoutingAnswers501OnEveryRoute() {
        rest.start(start("{\"abilities\": false}"));

        for (Route route : ROUTES) {
            Response response = rest.call(route.method(), route.path(), route.body());
            assertError(response, 501, "UNSUPPORTED", "this backend does not support");
        }
    }

    @Test
    void everyRouteIs503BeforeStartAndAfterStop() {
        rest.stop();

        for (Route route : ROUTES) {
            Response response = rest.call(route.method(), route.path(), route.body());
            assertError(response, 503, "BACKEND_NOT_STARTED", "core is not started yet");
        }
    }

    @Test
    void wrongMethodsAre405WithTheAllowedOnes() {
        Response rules = rest.call("POST", "/routing/rules", (Message) null);
        assertError(rules, 405, "METHOD_NOT_ALLOWED", "does not take POST");
        assertThat(rules.headers()).containsEntry("allow", "DELETE, GET, PUT");
        Response balancer = rest.call("GET", "/routing/balancer", (Message) null);
        assertError(balancer, 405, "METHOD_NOT_ALLOWED", "does not take GET");
        assertThat(balancer.headers()).containsEntry("allow", "POST");
    }

    private static List<RoutingRule> rules() {
        return rest.routingRules().getRulesList();
    }

    static RoutingRule rule(String outbound, String tag) {
        return RoutingRule.newBuilder().setOutboundTag(outbound).setRuleTag(tag).build();
    }

    static AddRoutingRuleRequest add(String json, boolean reset) {
        return AddRoutingRuleRequest.newBuilder().setRule(json).setShouldReset(reset).build();
    }

    static RemoveRoutingRuleRequest remove(String tag) {
        return RemoveRoutingRuleRequest.newBuilder().setRuleTag(tag).build();
    }

    static OverrideBalancerTargetRequest override(String balancer, String target) {
        return OverrideBalancerTargetRequest.newBuilder().setBalancerTag(balancer).setTarget(target).build();
    }

    private static void assertError(Response response, int status, String code, String sentence) {
        assertThat(response.status()).as("status of %s", new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/json");
        assertThat(response.errorCode()).isEqualTo(code);
        assertThat(response.errorMessage()).contains(sentence).doesNotContain("\tat ");
    }
}
