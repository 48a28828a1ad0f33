package io.pgnode.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Both listeners negotiate the same modern TLS: AEAD suites with ECDHE on TLS 1.2, and TLS 1.3. */
class ListenerTlsTest {

    private static TestingNode node;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void aClientOfferingOnlyCbcWithSha1FailsTheHandshakeOnBothPorts() {
        for (int port : ports()) {
            assertThatThrownBy(() -> handshake(port, "TLSv1.2",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"))
                    .as("port %d", port)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("handshake_failure");
        }
    }

    @Test
    void aClientOfferingOnlyCbcWithSha256OrStaticRsaFailsToo() {
        for (int port : ports()) {
            assertThatThrownBy(() -> handshake(port, "TLSv1.2",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"))
                    .as("port %d", port)
                    .isInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void modernClientsConnectOnBothPorts() throws IOException {
        for (int port : ports()) {
            assertThat(handshake(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
                    .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
            assertThat(handshake(port, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"))
                    .isEqualTo("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
            assertThat(handshake(port, "TLSv1.3", "TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
        }
    }

    private static List<Integer> ports() {
        return List.of(node.restPort(), node.grpcPort());
    }

    /** The suite negotiated by a client that offers only this protocol and these suites. */
    private static String handshake(int port, String protocol, String... suites) throws IOException {
        try (Socket tcp = new Socket("127.0.0.1", port);
                SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                        .createSocket(tcp, "127.0.0.1", port, true)) {
            tcp.setSoTimeout(RawHttps.READ_TIMEOUT_MILLIS);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setProtocols(new String[] {protocol});
            parameters.setCipherSuites(suites);
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (port == node.grpcPort()) {
                parameters.setApplicationProtocols(new String[] {"h2"}); // gRPC requires ALPN h2
            }
            tls.setSSLParameters(parameters);
            tls.startHandshake();
            return tls.getSession().getCipherSuite();
        }
    }
}
