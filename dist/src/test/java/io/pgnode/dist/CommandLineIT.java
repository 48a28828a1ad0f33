package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installed {@code bin/pg-node} commands as an operator runs them: output and exit codes. */
class CommandLineIT {

    private static final int DNS_NAME = 2;

    @TempDir Path temp;

    @Test
    void versionPrintsThePlainVersion() {
        TestingDistribution distribution = TestingDistribution.unpack(temp);

        TestingNodeProcess.Result version = distribution.run(temp, Map.of(), "version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).containsExactly(TestingDistribution.VERSION);
        assertThat(version.stderr()).isEmpty();
    }

    @Test
    void everyCommandExplainsItselfAndAWrongCommandLineIsExitCodeTwo() {
        TestingDistribution distribution = TestingDistribution.unpack(temp);

        for (List<String> command : List.of(List.of("--help"), List.of("run", "--help"), List.of("version", "--help"),
                List.of("plugins", "--help"), List.of("cert", "--help"))) {
            TestingNodeProcess.Result help = distribution.run(temp, Map.of(), command.toArray(String[]::new));
            String name = command.size() == 1 ? "" : command.get(0) + " ";
            assertThat(help.exitCode()).as("%s", command).isZero();
            assertThat(help.stdout()).as("%s", command).first().asString().startsWith("Usage: pg-node " + name);
        }
        TestingNodeProcess.Result wrong = distribution.run(temp, Map.of(), "cert", "--renw");

        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.stderr()).containsExactly("pg-node: Unknown option: '--renw'", "Try 'pg-node cert --help'.");
        assertThat(temp.resolve("data")).doesNotExist();
    }

    @Test
    void pluginsListsTheShippedPluginsAndAFailedPluginWithItsCause() throws Exception {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        // the classic third-party mistake: built without pf4j's annotation processor, so no extension index
        Path classes = SamplePlugin.compile(temp.resolve("classes"));
        Files.delete(classes.resolve("META-INF/extensions.idx"));
        SamplePlugin.writeZip(classes, distribution.plugins());

        TestingNodeProcess.Result plugins = distribution.run(temp, Map.of(), "plugins");

        assertThat(plugins.exitCode()).as("%s", plugins).isEqualTo(1);
        assertThat(plugins.stdout()).containsExactly(
                "plugins directory " + distribution.plugins(),
                "loaded xray " + TestingDistribution.VERSION + " (xray-plugin-" + TestingDistribution.VERSION
                        + ".zip): backend xray, type 0; reads DEBUG, GENERATED_CONFIG_PATH, XRAY_ASSETS_PATH, "
                        + "XRAY_EXECUTABLE_PATH, XRAY_LATENCY_TEST_URL, XRAY_LATENCY_TIMEOUT",
                "loaded wireguard " + TestingDistribution.VERSION + " (wireguard-plugin-" + TestingDistribution.VERSION
                        + ".zip): backend wireguard, type 1; reads WIREGUARD_CURL_PATH, WIREGUARD_GO_PATH, "
                        + "WIREGUARD_IP_PATH, WIREGUARD_LOG_LEVEL, WIREGUARD_MODE, WIREGUARD_WG_PATH",
                "failed memory-0.1.0.zip: skipped: it holds no BackendFactory extension (an @Extension class listed "
                        + "in META-INF/extensions.idx, which pf4j's annotation processor writes)",
                "2 backends available: xray (type 0), wireguard (type 1); 1 failure");
        try (Stream<Path> files = Files.list(distribution.plugins())) {
            assertThat(files).as("the node only reads its plugins directory").hasSize(3);
        }
    }

    @Test
    void certPrintsThePemAndFingerprintAndRenewGivesANewOneWithTheExtraName() throws Exception {
        TestingDistribution distribution = TestingDistribution.unpack(temp);

        TestingNodeProcess.Result first = distribution.run(temp, Map.of(), "cert");

        assertThat(first.exitCode()).as("%s", first).isZero();
        Path file = temp.resolve("data/ssl_cert.pem");
        X509Certificate certificate = DistributionSmokeIT.readCertificate(file);
        assertThat(first.stdout().get(0)).isEqualTo("certificate " + file + " (generated now)");
        assertThat(first.stdout().get(1)).isEqualTo("SHA-256 " + fingerprint(certificate));
        assertThat(pem(first.stdout())).isEqualTo(Files.readString(file).strip());

        TestingNodeProcess.Result renewed = distribution.run(temp, Map.of(), "cert", "--renew", "--san", "node.example.com");

        assertThat(renewed.exitCode()).as("%s", renewed).isZero();
        X509Certificate renewedCertificate = DistributionSmokeIT.readCertificate(file);
        assertThat(renewed.stdout().get(1)).isEqualTo("SHA-256 " + fingerprint(renewedCertificate))
                .isNotEqualTo(first.stdout().get(1));
        assertThat(renewedCertificate.getSubjectAlternativeNames()).contains(List.of(DNS_NAME, "node.example.com"))
                .containsAll(certificate.getSubjectAlternativeNames());
        assertThat(pem(renewed.stdout())).isEqualTo(Files.readString(file).strip());
        assertThat(temp.resolve("data/api_key")).as("cert leaves the API key alone").doesNotExist();
    }

    private static String pem(List<String> lines) {
        int begin = lines.indexOf("-----BEGIN CERTIFICATE-----");
        return String.join("\n", lines.subList(begin, lines.size()));
    }

    private static String fingerprint(X509Certificate certificate) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }
}
