package io.pgnode.host.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSetupTest {

    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    @TempDir Path dataDir;

    @Test
    void generatesAPairCoveringLocalNamesAndTheExtraSans() throws Exception {
        NodeTls tls = generate(List.of("node.example.com", "203.0.113.7"));

        X509Certificate certificate = tls.material().certificate();
        assertThat(tls.certificateFile()).isEqualTo(dataDir.resolve("ssl_cert.pem"));
        assertThat(certificate.getSubjectAlternativeNames())
                .contains(List.of(DNS_NAME, "localhost"), List.of(IP_ADDRESS, "127.0.0.1"),
                        List.of(DNS_NAME, "node.example.com"), List.of(IP_ADDRESS, "203.0.113.7"))
                .anySatisfy(san -> assertThat(san).first().isEqualTo(IP_ADDRESS)
                        .satisfies(type -> assertThat((String) san.get(1)).contains(":"))); // ::1
        assertThat(certificate.getNotAfter().toInstant()).isAfter(Instant.now().plus(3640, ChronoUnit.DAYS));
        assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1"); // serverAuth
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("ssl_key.pem"))))
                .isEqualTo("rw-------");
        assertThat(tls.material().sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }

    @Test
    void anExtraNameThatIsNeitherHostNorAddressStopsTheStartEvenWithACertificate() {
        generate(List.of());

        assertThatThrownBy(() -> generate(List.of("node.example.com", "203.0.113.7/24")))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("'203.0.113.7/24' (TLS_SAN or --san) is neither a host name nor an IP address");
    }

    @Test
    void theGeneratedPairIsKeptForLaterBoots() {
        NodeTls first = generate(List.of());
        NodeTls second = generate(List.of("added-later.example.com"));

        assertThat(second.material().sha256Fingerprint()).isEqualTo(first.material().sha256Fingerprint());
        assertThat(second.material().privateKey()).isEqualTo(first.material().privateKey());
    }

    @Test
    void configuredFilesAreUsedAsTheyAre() {
        NodeTls generated = generate(List.of());
        Path elsewhere = dataDir.resolve("elsewhere");

        NodeTls configured = TlsSetup.prepare(Optional.of(generated.certificateFile()),
                Optional.of(dataDir.resolve("ssl_key.pem")), elsewhere, List.of());

        assertThat(configured.certificateFile()).isEqualTo(generated.certificateFile());
        assertThat(configured.material().certificate()).isEqualTo(generated.material().certificate());
        assertThat(elsewhere.resolve("ssl_cert.pem")).doesNotExist();
    }

    @Test
    void aMissingConfiguredFileNamesItsSetting() {
        NodeTls generated = generate(List.of());

        assertThatThrownBy(() -> TlsSetup.prepare(Optional.of(dataDir.resolve("missing.pem")),
                        Optional.of(dataDir.resolve("ssl_key.pem")), dataDir, List.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SSL_CERT_FILE")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> TlsSetup.prepare(Optional.of(generated.certificateFile()),
                        Optional.of(dataDir.resolve("missing-key.pem")), dataDir, List.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SSL_KEY_FILE");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused(@TempDir Path other) {
        generate(List.of());
        TlsSetup.prepare(Optional.empty(), Optional.empty(), other, List.of());

        assertThatThrownBy(() -> TlsSetup.prepare(Optional.of(dataDir.resolve("ssl_cert.pem")),
                        Optional.of(other.resolve("ssl_key.pem")), dataDir, List.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("is not the key of");
    }

    @Test
    void halfAGeneratedPairIsAStartupErrorNotASilentNewCertificate() throws IOException {
        generate(List.of());
        Files.delete(dataDir.resolve("ssl_key.pem"));

        assertThatThrownBy(() -> generate(List.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("ssl_key.pem is missing");
    }

    @Test
    void aFileWithoutAKeyNamesTheSetting() throws IOException {
        NodeTls generated = generate(List.of());
        Path pem = Files.writeString(dataDir.resolve("not-a-key.pem"), "-----BEGIN NOTHING-----\n");

        assertThatThrownBy(() -> TlsSetup.prepare(Optional.of(generated.certificateFile()), Optional.of(pem),
                        dataDir, List.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SSL_KEY_FILE");
    }

    private NodeTls generate(List<String> extraSans) {
        return TlsSetup.prepare(Optional.empty(), Optional.empty(), dataDir, extraSans);
    }
}
