package io.pgnode.dist;

import static io.pgnode.dist.TestingDistribution.freePort;
import static io.pgnode.dist.TestingDistribution.freePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.host.TestingStreamObserver;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BackendType;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Log;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.User;
import io.pgnode.proto.Vmess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real tarball, unpacked and started as shipped: no settings but two free ports (GRPC_PORT, REST_PORT; the
 * default ports may be taken on a shared machine), its working directory empty. A panel-like client reads the
 * printed line, talks to both transports with the printed key and the generated certificate (host names
 * checked), runs the Xray backend on the real v2ray core found on PATH, and the operator stops the node with a
 * signal.
 */
class DistributionSmokeIT {

    private static final Duration BOOT = Duration.ofSeconds(60);
    /** What "exits within a few seconds" means here: the backend's stop included (about 0.5 s measured). */
    private static final Duration STOP = Duration.ofSeconds(5);

    @TempDir Path temp;

    @Test
    void theFirstRunServesThePanelRunsTheCoreAndStopsCleanlyOnSigterm() throws Exception {
        TestingDistribution.requireV2ray();
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path work = TestingDistribution.createDirectory(temp.resolve("work"));
        Map<String, String> ports = freePorts();

        try (TestingNodeProcess node = distribution.start(work, ports)) {
            PrintedPanelLine line = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, BOOT));

            // the line holds what the panel needs, and it is true
            assertThat(line.grpcPort()).isEqualTo(Integer.parseInt(ports.get("GRPC_PORT")));
            assertThat(line.restPort()).isEqualTo(Integer.parseInt(ports.get("REST_PORT")));
            assertThat(line.apiKey()).isEqualTo(UUID.fromString(line.apiKey()).toString());
            assertThat(line.certificate()).isEqualTo(work.resolve("data/ssl_cert.pem"));
            assertThat(work.resolve("data/api_key")).content().isEqualToIgnoringNewLines(line.apiKey());
            X509Certificate certificate = readCertificate(line.certificate());

            TestingRestClient rest = TestingRestClient.connect(
                    URI.create("https://" + line.authority(line.restPort())), certificate, line.apiKey());
            ManagedChannel channel = TestingNode.channelTo(line.address(), line.grpcPort(), line.certificate());
            try {
                NodeServiceGrpc.NodeServiceBlockingStub grpc = TestingNode.blockingStub(channel, line.apiKey());
                BaseInfoResponse info = rest.info();
                assertThat(info.getStarted()).isFalse();
                assertThat(info.getNodeVersion()).isEqualTo(TestingDistribution.VERSION);
                assertThat(grpc.getBaseInfo(Empty.getDefaultInstance())).isEqualTo(info);

                // the Xray backend on the real core: XRAY_EXECUTABLE_PATH is unset, v2ray is found on PATH
                int inbound = freePort();
                BaseInfoResponse started = rest.start(xrayOn(inbound));
                assertThat(started.getStarted()).isTrue();
                assertThat(started.getCoreType()).isEqualTo("xray");
                assertThat(started.getCoreVersion()).isEqualTo("4.34.0");
                ProcessHandle core = theCoreOf(node);
                assertThat(acceptsConnections(inbound)).as("the core serves the panel's inbound").isTrue();

                grpc.stop(Empty.getDefaultInstance());
                await().atMost(STOP).until(() -> !core.isAlive());
                assertThat(rest.info().getStarted()).isFalse();

                // running again, with the panel reading the core's logs over both transports, when the operator
                // stops the node
                rest.start(xrayOn(freePort()));
                ProcessHandle secondCore = theCoreOf(node);
                TestingLogStream restLogs = rest.logs(false);
                TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
                TestingNode.asyncStub(channel, line.apiKey()).getLogs(Empty.getDefaultInstance(), grpcLogs);

                long signalled = System.nanoTime();
                node.signal("TERM");

                assertThat(node.awaitExit(STOP)).as("exit code after SIGTERM; %s", node.output()).isZero();
                System.out.printf("pg-node exited %d ms after SIGTERM%n", (System.nanoTime() - signalled) / 1_000_000);
                assertThat(secondCore.isAlive()).as("the core the node started").isFalse();
                await().atMost(STOP).until(() -> restLogs.isFinished() && grpcLogs.isDone());
                assertThat(node.stdout()).anySatisfy(l -> assertThat(l).contains("pg-node stopped"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aSecondRunReusesTheKeyAndTheCertificateAndStopsCleanlyOnSigint() throws Exception {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path work = TestingDistribution.createDirectory(temp.resolve("work"));
        Map<String, String> ports = freePorts();
        PrintedPanelLine first;
        try (TestingNodeProcess node = distribution.start(work, ports)) {
            first = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, BOOT));
            node.signal("TERM");
            assertThat(node.awaitExit(STOP)).isZero();
        }
        byte[] pem = Files.readAllBytes(first.certificate());

        try (TestingNodeProcess node = distribution.start(work, ports)) {
            String printed = node.awaitLine(PrintedPanelLine.PATTERN, BOOT);
            PrintedPanelLine second = PrintedPanelLine.parse(printed);

            assertThat(printed).doesNotContain(first.apiKey())
                    .contains("API key " + first.apiKey().substring(0, 4) + "****-****-****-****-************ (in "
                            + work.resolve("data/api_key") + ")");
            assertThat(second.certificate()).isEqualTo(first.certificate()).hasBinaryContent(pem);
            TestingRestClient rest = TestingRestClient.connect(URI.create("https://" + second.authority(second.restPort())),
                    readCertificate(second.certificate()), first.apiKey());
            assertThat(rest.info().getNodeVersion()).isEqualTo(TestingDistribution.VERSION);

            node.signal("INT");

            assertThat(node.awaitExit(STOP)).as("exit code after SIGINT; %s", node.output()).isZero();
        }
    }

    /** A panel's Start for the Xray backend: one vmess inbound on a loopback port and one user in it. */
    private static Backend xrayOn(int port) {
        String config = "{\"log\":{\"loglevel\":\"warning\"},\"inbounds\":[{\"tag\":\"vmess-in\",\"listen\":\"127.0.0.1\","
                + "\"port\":" + port + ",\"protocol\":\"vmess\",\"settings\":{\"clients\":[]}}],"
                + "\"outbounds\":[{\"tag\":\"direct\",\"protocol\":\"freedom\"}]}";
        User user = User.newBuilder()
                .setEmail("smoke@example")
                .setProxies(Proxy.newBuilder().setVmess(Vmess.newBuilder().setId(UUID.randomUUID().toString())))
                .addInbounds("vmess-in")
                .build();
        return Backend.newBuilder().setType(BackendType.XRAY).setConfig(config).addUsers(user).build();
    }

    private static ProcessHandle theCoreOf(TestingNodeProcess node) {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.descendants("v2ray").size() == 1);
        List<ProcessHandle> cores = node.descendants("v2ray");
        assertThat(cores).hasSize(1);
        return cores.get(0);
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
