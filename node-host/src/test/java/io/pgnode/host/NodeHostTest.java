package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pgnode.host.config.SettingSources;
import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import io.pgnode.host.plugin.BackendRegistry;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Booting the node as an operator does: first run, second run, bad settings, broken plugins. */
class NodeHostTest {

    @TempDir Path temp;

    @Test
    void theFirstRunPrintsOneLineForThePanelWithTheKeyWhichLaterRunsMask() throws IOException {
        Path directory = Files.createDirectory(temp.resolve("node"));
        String firstKey;
        try (TestingNode first = TestingNode.builder().workingDirectory(directory).generatedApiKey().start()) {
            firstKey = first.apiKey();
            assertThat(first.stdout().lines()).containsExactly("panel: address 127.0.0.1, gRPC port "
                    + first.grpcPort() + ", REST port " + first.restPort() + ", API key " + firstKey
                    + ", certificate " + first.dataDir().resolve("ssl_cert.pem"));
            assertThat(first.rest().info().getNodeVersion()).isEqualTo("1.0.0");
        }
        try (TestingNode second = TestingNode.builder().workingDirectory(directory).generatedApiKey().start()) {
            assertThat(second.apiKey()).isEqualTo(firstKey);
            assertThat(second.stdout().lines()).singleElement().asString()
                    .contains(", API key " + firstKey.substring(0, 4) + "****-****-****-****-************ (in "
                            + second.dataDir().resolve("api_key") + "), certificate ")
                    .doesNotContain(firstKey);
            assertThat(second.rest().info().getNodeVersion()).isEqualTo("1.0.0");
            assertThat(second.grpc().getBaseInfo(Empty.getDefaultInstance()).getStarted()).isFalse();
        }
    }

    @Test
    void theGeneratedCertificateVerifiesForLoopbackAddressAndLocalhost() throws Exception {
        try (TestingNode node = TestingNode.builder().start()) {
            handshake(node, "127.0.0.1");
            handshake(node, "localhost");
            // and the check is real: a name the certificate does not carry is refused
            assertThatThrownBy(() -> handshake(node, "somewhere-else.example"))
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void aBrokenPluginIsSkippedAndTheNodeServesTheOthers() {
        Path plugins = TestingBackendPlugin.pluginsDir(temp);
        TestingBackendPlugin.writeBrokenJar(plugins);

        try (CapturedLogs logs = CapturedLogs.of(BackendRegistry.class);
                TestingNode node = TestingNode.builder().pluginsDir(plugins).start()) {
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN Plugin 'broken'")
                    .contains("NoClassDefFoundError"));
            assertThat(node.rest().start(start("")).getStarted()).isTrue();
        }
    }

    @Test
    void pluginSettingsComeFromTheSameSourcesAsTheNodes() throws IOException {
        Path directory = Files.createDirectories(temp.resolve("node/conf"));
        Files.writeString(directory.resolve("node.yml"), "TESTING_GREETING: from-yaml\nTESTING_SECRET: from-yaml\n");
        Files.writeString(temp.resolve("node/.env"), "TESTING_GREETING=from-dotenv\n");

        try (TestingNode node = TestingNode.builder()
                .workingDirectory(temp.resolve("node"))
                .pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .start()) {
            node.rest().start(start(""));
            assertThat(journal(node)).first().asString()
                    .contains("settings={TESTING_GREETING=from-dotenv, TESTING_SECRET=from-yaml}");
        }
    }

    @Test
    void closingTheNodeEndsOpenLogStreamsAndStopsTheBackend() throws IOException {
        TestingNode node = TestingNode.builder()
                .workingDirectory(Files.createDirectory(temp.resolve("node")))
                .pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .start();
        node.rest().start(start(""));
        TestingLogStream plain = node.rest().logs(false);
        TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
        node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs);

        assertTimeoutPreemptively(Duration.ofSeconds(10), node::close);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> plain.isFinished() && grpcLogs.isDone());
        assertThat(journal(node)).last().isEqualTo("close");
    }

    @Test
    void aTransportSetToZeroStaysOff() {
        try (TestingNode node = TestingNode.builder().setting("GRPC_PORT", "0").start()) {
            assertThat(node.grpcPort()).isZero();
            assertThat(node.stdout()).startsWith("panel: address 127.0.0.1, gRPC off, REST port " + node.restPort() + ",");
            assertThat(node.rest().info().getStarted()).isFalse();
        }
    }

    @Test
    void aPortInUseIsAStartupErrorNamingTheSetting() throws IOException {
        try (ServerSocket occupied = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> environment = Map.of(
                    "NODE_HOST", "127.0.0.1",
                    "REST_PORT", String.valueOf(occupied.getLocalPort()),
                    "GRPC_PORT", "0",
                    "API_KEY", "3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01");
            Settings settings = Settings.from(SettingSources.load(environment, temp, Optional.empty()),
                    temp.resolve("plugins"));

            assertThatThrownBy(() -> NodeHost.start(settings, new PrintStream(new ByteArrayOutputStream())))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("REST_PORT")
                    .hasMessageContaining(":" + occupied.getLocalPort());
        }
    }

    private static void handshake(TestingNode node, String hostName) throws IOException {
        try (Socket tcp = new Socket("127.0.0.1", node.restPort());
                SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                        .createSocket(tcp, hostName, node.restPort(), true)) {
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            assertThat(tls.getSession().getPeerCertificates()[0]).isEqualTo(node.certificate());
        }
    }
}
