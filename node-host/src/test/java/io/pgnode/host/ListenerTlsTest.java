package io.pgnode.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both listeners negotiate the same modern TLS: AEAD suites with ECDHE on TLS 1.2, and TLS 1.3, with the node's
 * own EC certificate and with an operator's RSA one.
 */
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

    @Test
    void withAnOperatorsRsaCertificateBothPortsStillTakeOnlyEcdheWithAead(@TempDir Path files) throws Exception {
        Path certificate = files.resolve("cert.pem");
        Path key = files.resolve("key.pem");
        writeRsaCertificate(certificate, key);
        try (TestingNode rsa = TestingNode.builder().setting("SSL_CERT_FILE", certificate.toString())
                .setting("SSL_KEY_FILE", key.toString()).start()) {
            for (int port : List.of(rsa.restPort(), rsa.grpcPort())) {
                for (String legacy : List.of("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256",
                        "TLS_RSA_WITH_AES_128_CBC_SHA")) {
                    assertThatThrownBy(() -> handshake(rsa, port, "TLSv1.2", legacy))
                            .as("port %d, %s", port, legacy)
                            .isInstanceOf(SSLHandshakeException.class)
                            .hasMessageContaining("handshake_failure");
                }
                assertThat(handshake(rsa, port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
                        .isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
                assertThat(handshake(rsa, port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
                        .isEqualTo("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
            }
            assertThat(rsa.rest().info().getNodeVersion()).isNotEmpty();
        }
    }

    private static List<Integer> ports() {
        return List.of(node.restPort(), node.grpcPort());
    }

    private static String handshake(int port, String protocol, String... suites) throws IOException {
        return handshake(node, port, protocol, suites);
    }

    /** The suite negotiated by a client that offers only this protocol and these suites. */
    private static String handshake(TestingNode node, int port, String protocol, String... suites)
            throws IOException {
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

    /** An operator's own certificate: RSA 2048, self-signed, for 127.0.0.1. */
    private static void writeRsaCertificate(Path certificateFile, Path keyFile) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        X500Name subject = new X500Name("CN=operator");
        Instant now = Instant.now();
        X509CertificateHolder certificate = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE,
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")))
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
        write(certificateFile, new JcaX509CertificateConverter().getCertificate(certificate));
        write(keyFile, new JcaPKCS8Generator(keys.getPrivate(), null));
    }

    private static void write(Path file, Object pem) throws IOException {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII))) {
            writer.writeObject(pem);
        }
    }
}
