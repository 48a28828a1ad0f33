package io.pgnode.host.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.StartupException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static final String KEY = "3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01";

    @TempDir Path directory;

    @Test
    void defaultsWhenNothingIsSet() {
        Settings settings = load(Map.of());

        assertThat(settings.grpcPort()).isEqualTo(62050);
        assertThat(settings.restPort()).isEqualTo(62051);
        assertThat(settings.nodeHost()).isEqualTo("0.0.0.0");
        assertThat(settings.apiKey()).isEmpty();
        assertThat(settings.sslCertFile()).isEmpty();
        assertThat(settings.dataDir()).isEqualTo(directory.resolve("data"));
        assertThat(settings.pluginsDir()).isEqualTo(directory.resolve("default-plugins"));
        assertThat(settings.tlsSans()).isEmpty();
        assertThat(settings.logBufferSize()).isEqualTo(10_000);
        assertThat(settings.restBodyTimeout()).isEqualTo(java.time.Duration.ofSeconds(60));
    }

    @Test
    void environmentBeatsDotEnvWhichBeatsYaml() throws IOException {
        Files.writeString(directory.resolve(".env"), "REST_PORT=7002\nGRPC_PORT=7001\n");
        yaml("REST_PORT: 8002\nGRPC_PORT: 8001\nLOG_BUFFER_SIZE: 8003\nREST_BODY_TIMEOUT: 300\n");

        Settings settings = load(Map.of("REST_PORT", "6002"));

        assertThat(settings.restPort()).isEqualTo(6002);
        assertThat(settings.grpcPort()).isEqualTo(7001);
        assertThat(settings.logBufferSize()).isEqualTo(8003);
        assertThat(settings.restBodyTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
    }

    @Test
    void aBlankValueFallsThroughToTheNextSource() throws IOException {
        Files.writeString(directory.resolve(".env"), "REST_PORT=\n");
        yaml("REST_PORT: 8002\n");

        assertThat(load(Map.of("REST_PORT", " ")).restPort()).isEqualTo(8002);
    }

    @Test
    void configFileOptionReplacesTheDefaultYaml() throws IOException {
        yaml("REST_PORT: 8002\n");
        Path other = Files.writeString(directory.resolve("other.yml"), "REST_PORT: 9002\n");

        Settings settings = Settings.from(
                SettingSources.load(Map.of(), directory, Optional.of(other)), directory.resolve("default-plugins"));

        assertThat(settings.restPort()).isEqualTo(9002);
    }

    @Test
    void aMissingConfigFileIsAStartupError() {
        assertThatThrownBy(() -> SettingSources.load(Map.of(), directory, Optional.of(Path.of("nope.yml"))))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("nope.yml")
                .hasMessageContaining("does not exist");
    }

    @Test
    void dotEnvUnderstandsQuotesExportAndComments() throws IOException {
        Files.writeString(directory.resolve(".env"), """
                # the node
                export NODE_HOST=127.0.0.1
                TLS_SAN = "node.example.com, 203.0.113.7"
                DATA_DIR='/var/lib/pg-node'
                LOG_BUFFER_SIZE=50 # lines
                """);

        Settings settings = load(Map.of());

        assertThat(settings.nodeHost()).isEqualTo("127.0.0.1");
        assertThat(settings.tlsSans()).containsExactly("node.example.com", "203.0.113.7");
        assertThat(settings.dataDir()).isEqualTo(Path.of("/var/lib/pg-node"));
        assertThat(settings.logBufferSize()).isEqualTo(50);
    }

    @Test
    void aDotEnvLineThatIsNoAssignmentNamesItsLine() throws IOException {
        Files.writeString(directory.resolve(".env"), "REST_PORT=1\nthis is not a setting\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining(".env line 2");
    }

    @Test
    void yamlListsBecomeCommaSeparatedValues() throws IOException {
        yaml("TLS_SAN:\n  - node.example.com\n  - 203.0.113.7\n");

        assertThat(load(Map.of()).tlsSans()).containsExactly("node.example.com", "203.0.113.7");
    }

    @Test
    void brokenYamlIsAStartupErrorNamingTheFile() throws IOException {
        yaml("REST_PORT: [1, 2\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("node.yml")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void aPortThatIsNoNumberNamesTheSettingValueAndSource() throws IOException {
        Files.writeString(directory.resolve(".env"), "REST_PORT=abc\n");

        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("REST_PORT='abc'")
                .hasMessageContaining(".env");
    }

    @Test
    void aPortOutOfRangeNamesTheSetting() {
        assertThatThrownBy(() -> load(Map.of("GRPC_PORT", "70000")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("GRPC_PORT='70000'")
                .hasMessageContaining("out of range");
    }

    @Test
    void zeroTurnsOneTransportOffButNotBoth() {
        assertThat(load(Map.of("REST_PORT", "0")).restPort()).isZero();
        assertThatThrownBy(() -> load(Map.of("REST_PORT", "0", "GRPC_PORT", "0")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("GRPC_PORT and REST_PORT are both 0");
    }

    @Test
    void bothTransportsOnOnePortIsAStartupError() {
        assertThatThrownBy(() -> load(Map.of("REST_PORT", "7000", "GRPC_PORT", "7000")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("both 7000");
    }

    @Test
    void servicePortSetsThePortOfTheNamedProtocolUnlessItsOwnPortIsGiven() {
        Settings grpc = load(Map.of("SERVICE_PORT", "7000"));
        assertThat(grpc.grpcPort()).isEqualTo(7000);
        assertThat(grpc.restPort()).isEqualTo(62051);

        Settings rest = load(Map.of("SERVICE_PORT", "7000", "SERVICE_PROTOCOL", "REST"));
        assertThat(rest.restPort()).isEqualTo(7000);
        assertThat(rest.grpcPort()).isEqualTo(62050);

        Settings own = load(Map.of("SERVICE_PORT", "7000", "SERVICE_PROTOCOL", "rest", "REST_PORT", "7100"));
        assertThat(own.restPort()).isEqualTo(7100);
    }

    @Test
    void anUnknownServiceProtocolIsAStartupError() {
        assertThatThrownBy(() -> load(Map.of("SERVICE_PROTOCOL", "http")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SERVICE_PROTOCOL='http'");
    }

    @Test
    void aNonUuidApiKeyIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> load(Map.of("API_KEY", "my-secret-password")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("API_KEY")
                .hasMessageContaining("not a UUID")
                .hasMessageNotContaining("my-secret-password");
    }

    @Test
    void aUuidApiKeyIsTaken() {
        assertThat(load(Map.of("API_KEY", KEY.toUpperCase())).apiKey())
                .hasValueSatisfying(key -> assertThat(key.reveal()).isEqualTo(KEY));
    }

    @Test
    void certificateAndKeyFilesGoTogether() throws IOException {
        yaml("SSL_CERT_FILE: cert.pem\n");
        assertThatThrownBy(() -> load(Map.of()))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SSL_KEY_FILE is not set");
        yaml("");
        assertThatThrownBy(() -> load(Map.of("SSL_KEY_FILE", "key.pem")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("SSL_CERT_FILE is not set");
        Settings settings = load(Map.of("SSL_CERT_FILE", "cert.pem", "SSL_KEY_FILE", "/etc/key.pem"));
        assertThat(settings.sslCertFile()).contains(directory.resolve("cert.pem"));
        assertThat(settings.sslKeyFile()).contains(Path.of("/etc/key.pem"));
    }

    @Test
    void theCaBundleVariableOfOpenSslToolsIsNotTakenForTheNodesCertificate() {
        // many machines export SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt for OpenSSL-based tools
        Settings settings = load(Map.of("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"));

        assertThat(settings.sslCertFile()).isEmpty();
        assertThat(settings.sslKeyFile()).isEmpty();
    }

    @Test
    void aLogBufferMustHoldALine() {
        assertThatThrownBy(() -> load(Map.of("LOG_BUFFER_SIZE", "0")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("LOG_BUFFER_SIZE='0'");
    }

    @Test
    void pluginsGetTheirDeclaredSettingsFromEverySource() throws IOException {
        Files.writeString(directory.resolve(".env"), "XRAY_ASSETS_PATH=/opt/assets\n");
        yaml("XRAY_EXECUTABLE_PATH: /usr/bin/v2ray\nDEBUG: true\n");

        Map<String, String> values = load(Map.of("XRAY_EXECUTABLE_PATH", "/usr/local/bin/xray", "OTHER", "x"))
                .valuesOf(Set.of("XRAY_EXECUTABLE_PATH", "XRAY_ASSETS_PATH", "DEBUG", "GENERATED_CONFIG_PATH"));

        assertThat(values).containsExactlyInAnyOrderEntriesOf(Map.of(
                "XRAY_EXECUTABLE_PATH", "/usr/local/bin/xray",
                "XRAY_ASSETS_PATH", "/opt/assets",
                "DEBUG", "true"));
    }

    @Test
    void yamlNamesNobodyReadsAreReported() throws IOException {
        yaml("REST_PORT: 7000\nXRAY_EXECUTABLE_PATH: /usr/bin/v2ray\nRSET_PORT: 7001\n");

        assertThat(load(Map.of()).unknownYamlNames(Set.of("XRAY_EXECUTABLE_PATH"))).containsExactly("RSET_PORT");
    }

    private Settings load(Map<String, String> environment) {
        return Settings.from(SettingSources.load(environment, directory, Optional.empty()),
                directory.resolve("default-plugins"));
    }

    private void yaml(String content) throws IOException {
        Files.createDirectories(directory.resolve("conf"));
        Files.writeString(directory.resolve("conf/node.yml"), content);
    }
}
