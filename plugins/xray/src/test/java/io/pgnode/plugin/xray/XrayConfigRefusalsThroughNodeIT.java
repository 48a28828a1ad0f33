package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.Users;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests the node refuses with 400 and a sentence (issue 10), through a real node with the plugin zip and the
 * real v2fly core: configs that are not one JSON object or that the core cannot load, and an email the core's
 * counter names cannot hold; and a Start that fails, by the check or only when its core starts, while a user is
 * served. One node serves the class; every test starts what it needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XrayConfigRefusalsThroughNodeIT {

    private static final int BYTES = 20_000;

    private TestingNode node;

    @BeforeAll
    void startNode(@TempDir Path temp) {
        node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .start();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void jsonNestedTenThousandLevelsDeepIsAnInvalidConfig() {
        String deep = "{\"inbounds\":[],\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";

        assertInvalidConfig(node.rest().call("POST", "/start", startXray(deep)), "not valid JSON");
    }

    @Test
    void garbageAfterTheConfigIsAnInvalidConfig() {
        assertInvalidConfig(node.rest().call("POST", "/start", startXray("{\"inbounds\":[]} garbage")),
                "not valid JSON");
    }

    @Test
    void aPortTheCoreCannotTakeIsAnInvalidConfigInTheCoresWordsWithoutAGoroutineDump() {
        String config = "{\"inbounds\":[{\"tag\":\"x\",\"listen\":\"127.0.0.1\",\"port\":99999,\"protocol\":\"vless\","
                + "\"settings\":{\"clients\":[],\"decryption\":\"none\"}}],\"outbounds\":[{\"protocol\":\"freedom\"}]}";

        TestingRestClient.Response answer = node.rest().call("POST", "/start", startXray(config));

        assertInvalidConfig(answer, "invalid port range: 99999");
        assertThat(answer.errorMessage()).doesNotContain("goroutine").doesNotContain("panic");
        assertThat(RealV2ray.runningIn(node.workDirectory("xray"))).isEmpty();
    }

    @Test
    void anEmailHoldingTheCoresCounterSeparatorIsAnInvalidUserAndTheOthersAreApplied() {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", "vless-in")));
        try {
            TestingRestClient.Response answer = node.rest().call("PUT", "/users/sync", Users.newBuilder()
                    .addUsers(panelUser("v>>>user>>>alice@x", "", "vless-in"))
                    .addUsers(panelUser("alice@x", "", "vless-in"))
                    .addUsers(panelUser("bob@x", "", "vless-in")).build());

            assertThat(answer.status()).isEqualTo(400);
            assertThat(answer.errorCode()).isEqualTo("INVALID_USER");
            assertThat(answer.errorMessage()).contains("v>>>user>>>alice@x (the email contains \">>>\"")
                    .contains("the other users were applied");
            assertThat(node.rest().stats(PanelRequests.user("bob@x", false)).getStatsList()).as("bob was applied")
                    .containsExactlyElementsOf(PanelRequests.zeroTraffic("bob@x"));
        } finally {
            node.rest().stop(); // the next test finds no core
        }
    }

    @Test
    void aStartThatFailsLeavesTheRunningUsersServedByTheCheckOrByBringingTheCoreBack() throws Exception {
        TestingServerInbounds inbounds = TestingServerInbounds.onFreePorts();
        String[] everyInbound = TestingServerInbounds.TAGS.toArray(String[]::new);
        node.rest().start(startXray(inbounds.panelConfig(), panelUser("alice@x", "", everyInbound)));
        List<ProcessHandle> serving = RealV2ray.runningIn(node.workDirectory("xray"));
        try (TestingHttpServer http = new TestingHttpServer();
                ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TestingV2rayClient client = TestingV2rayClient.start(inbounds.routes("alice@x", ""))) {
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);

            // the check refuses it: the running core is not even touched
            String rejected = inbounds.panelConfig().replace("\"port\":" + inbounds.vlessPort(), "\"port\":99999");
            assertInvalidConfig(node.rest().call("POST", "/start", startXray(rejected,
                    panelUser("alice@x", "", everyInbound))), "invalid port range: 99999");
            assertThat(RealV2ray.runningIn(node.workDirectory("xray"))).as("the same core serves")
                    .isEqualTo(serving);
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);

            // it passes the check (the test mode binds nothing) but another process holds a port of it
            String portTaken = inbounds.panelConfig().replace("\"inbounds\":[", "\"inbounds\":[{\"tag\":\"extra\","
                    + "\"listen\":\"127.0.0.1\",\"port\":" + taken.getLocalPort() + ",\"protocol\":\"vless\","
                    + "\"settings\":{\"clients\":[],\"decryption\":\"none\"}},");
            TestingRestClient.Response failed = node.rest().call("POST", "/start", startXray(portTaken,
                    panelUser("alice@x", "", everyInbound)));
            assertThat(failed.status()).as(failed.errorMessage()).isEqualTo(500);
            assertThat(failed.errorCode()).isEqualTo("BACKEND_FAILURE");
            assertThat(failed.errorMessage()).contains("address already in use")
                    .contains("The previous backend was brought back with its users and keeps serving.");
            assertThat(node.rest().info().getStarted()).isTrue();
            ServedTraffic.assertServed(client, http, "alice@x", BYTES);
        } finally {
            node.rest().stop();
        }
    }

    private static void assertInvalidConfig(TestingRestClient.Response answer, String words) {
        assertThat(answer.status()).as(answer.errorMessage()).isEqualTo(400);
        assertThat(answer.errorCode()).isEqualTo("INVALID_CONFIG");
        assertThat(answer.errorMessage()).contains(words);
    }
}
