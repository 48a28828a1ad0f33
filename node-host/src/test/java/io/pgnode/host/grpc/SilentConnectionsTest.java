package io.pgnode.host.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.RawHttps;
import io.pgnode.host.TestingNode;
import io.pgnode.proto.Empty;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** A connection that completes TLS but never speaks HTTP/2 is closed by the node, not kept forever. */
class SilentConnectionsTest {

    @Test
    void aConnectionThatNeverSendsThePrefaceIsClosed() throws IOException {
        try (TestingNode node = TestingNode.builder()
                // the shortest ping interval grpc-java allows
                .grpcLimits(limits -> new GrpcLimits(limits.bodyLimit(), Duration.ofSeconds(10),
                        Duration.ofMillis(500)))
                .start();
                Socket tcp = new Socket("127.0.0.1", node.grpcPort());
                SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                        .createSocket(tcp, "127.0.0.1", node.grpcPort(), true)) {
            tcp.setSoTimeout(RawHttps.READ_TIMEOUT_MILLIS);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"h2"});
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            assertThat(tls.getApplicationProtocol()).isEqualTo("h2");

            // the node sends its own preface (and a ping); it closes once the ping goes unanswered
            byte[] buffer = new byte[4096];
            long received = 0;
            int read;
            while ((read = tls.getInputStream().read(buffer)) != -1) {
                received += read;
            }

            assertThat(read).isEqualTo(-1);
            assertThat(received).isPositive();
            // a real client on the same node is served all the while
            assertThat(node.grpc().getBaseInfo(Empty.getDefaultInstance()).getNodeVersion()).isNotEmpty();
        }
    }
}
