package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.PanelRequests.startXray;
import static io.pgnode.plugin.xray.PanelRequests.users;
import static io.pgnode.plugin.xray.TestUsers.panelUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.Backend;
import io.pgnode.proto.Empty;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts that cannot succeed, through a real node with the plugin zip: the panel gets the reason in words
 * it can act on, no core is left behind, and the node goes on serving.
 */
class XrayStartFailuresThroughNodeIT {

    @TempDir
    Path temp;

    @Test
    void aMissingCoreNamesThePathAndTheSettingAndTheNodeKeepsServing() {
        Path missing = temp.resolve("no/such/xray");
        Backend start = startXray(TestingServerInbounds.onFreePorts().panelConfig(), panelUser("alice@x", "", "vless-in"));
        try (TestingNode node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", missing.toString())
                .start()) {
            TestingRestClient.Response rest = node.rest().call("POST", "/start", start);
            assertThat(rest.status()).isEqualTo(500);
            assertThat(rest.errorCode()).isEqualTo("BACKEND_FAILURE");
            assertThat(rest.errorMessage()).contains(missing.toString(), "XRAY_EXECUTABLE_PATH");

            StatusRuntimeException grpc = catchThrowableOfType(StatusRuntimeException.class, () -> node.grpc().start(start));
            assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
            assertThat(grpc.getStatus().getDescription()).contains(missing.toString(), "XRAY_EXECUTABLE_PATH");

            assertThat(node.grpc().getBaseInfo(Empty.getDefaultInstance()).getStarted()).isFalse();
            TestingRestClient.Response stats = node.rest().call("GET", "/stats", users(false));
            assertThat(stats.errorCode()).isEqualTo("BACKEND_NOT_STARTED");
        }
    }

    @Test
    void aConfigTheCoreRejectsIsAnInvalidConfigInTheCoresWordsAndNoCoreStaysBehind() {
        String config = "{\"inbounds\":[{\"tag\":\"x\",\"listen\":\"127.0.0.1\",\"port\":" + RealV2ray.freePort()
                + ",\"protocol\":\"nope\",\"settings\":{}}],\"outbounds\":[{\"protocol\":\"freedom\"}]}";
        try (TestingNode node = TestingNode.builder()
                .pluginsDir(BuiltPluginZip.installIn(temp))
                .setting("XRAY_EXECUTABLE_PATH", RealV2ray.executable().toString())
                .start()) {
            TestingRestClient.Response rest = node.rest().call("POST", "/start", startXray(config));

            assertThat(rest.status()).isEqualTo(400);
            assertThat(rest.errorCode()).isEqualTo("INVALID_CONFIG");
            assertThat(rest.errorMessage()).contains("exited with code 23", "unknown config id: nope");
            assertThat(RealV2ray.runningIn(node.workDirectory("xray"))).isEmpty();
            assertThat(node.rest().info().getStarted()).isFalse();
        }
    }
}
