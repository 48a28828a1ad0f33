package io.pgnode.host.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.testplugin.broken.BrokenBackendFactory;
import io.pgnode.host.testplugin.broken.MissingBase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pg-node command line as an operator uses it: output, errors and exit codes of every command. */
class MainTest {

    private static final int DNS_NAME = 2;

    @TempDir Path directory;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void anInvalidSettingIsOneLineAndExitCodeOne() {
        assertThat(run(Map.of("REST_PORT", "http"))).isEqualTo(1);

        assertThat(errLines()).containsExactly(
                "pg-node cannot start: REST_PORT='http' (from the environment) is not a port number from 0 to 65535");
    }

    @Test
    void aMissingConfigFileIsOneLine() {
        assertThat(run(Map.of(), "run", "--config", "missing.yml")).isEqualTo(1);

        assertThat(errLines()).singleElement().asString()
                .startsWith("pg-node cannot start: ").contains("missing.yml").contains("does not exist");
    }

    @Test
    void anUnknownCommandOrOptionIsAUsageErrorWithExitCodeTwo() {
        assertThat(run(Map.of(), "serve")).isEqualTo(2);
        assertThat(errLines()).containsExactly("pg-node: Unmatched argument at index 0: 'serve'",
                "Try 'pg-node --help'.");
        err.reset();

        assertThat(run(Map.of(), "cert", "--bogus")).isEqualTo(2);
        assertThat(errLines()).containsExactly("pg-node: Unknown option: '--bogus'", "Try 'pg-node cert --help'.");
        assertThat(out.size()).isZero();
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (String command : List.of("run", "version", "plugins", "cert")) {
            out.reset();
            assertThat(run(Map.of(), command, "--help")).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: pg-node " + command + " ");
        }
        out.reset();

        assertThat(run(Map.of(), "--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: pg-node ")
                .contains("  run ", "  version ", "  plugins ", "  cert ", "--config=PATH", "Exit codes:");
        assertThat(errLines()).isEmpty();
        assertThat(directory.resolve("data")).doesNotExist();
    }

    @Test
    void versionIsThePlainVersionThePanelSees() {
        assertThat(run(Map.of(), "version")).isZero();
        assertThat(run(Map.of(), "--version")).isZero();

        assertThat(outLines()).containsExactly("1.0.0", "1.0.0");
    }

    @Test
    void pluginsListsEachBackendAndEachFailureWithItsCauseAndExitsOne() {
        Path plugins = TestingBackendPlugin.pluginsDir(directory);
        TestingBackendPlugin.writeBrokenJar(plugins);

        int exitCode = run(Map.of("PLUGINS_DIR", plugins.toString(), "TESTING_GREETING", "hello",
                "TESTING_SECRET", "s3cret-value"), "plugins");

        assertThat(exitCode).isEqualTo(1);
        List<String> lines = outLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).isEqualTo("plugins directory " + plugins);
        assertThat(lines.get(1)).isEqualTo("loaded testing 1.0.0 (testing-1.0.0.zip): backend testing, type 100; "
                + "reads TESTING_GREETING=hello, TESTING_SECRET=(set, hidden)");
        assertThat(lines.get(2)).startsWith("failed broken-1.0.0.jar: backend " + BrokenBackendFactory.class.getName()
                + " skipped: NoClassDefFoundError").contains(MissingBase.class.getName().replace('.', '/'));
        assertThat(lines.get(3)).isEqualTo("1 backend available: testing (type 100); 1 failure");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("s3cret");
    }

    @Test
    void pluginsExitsZeroWhenEveryPluginServesABackend() {
        Path plugins = TestingBackendPlugin.pluginsDir(directory);

        assertThat(run(Map.of("PLUGINS_DIR", plugins.toString()), "plugins")).isZero();

        assertThat(outLines()).last().isEqualTo("1 backend available: testing (type 100)");
    }

    @Test
    void pluginsWithoutAPluginsDirectorySaysSoAndExitsOne() {
        assertThat(run(Map.of("PLUGINS_DIR", "nowhere"), "plugins")).isEqualTo(1);

        assertThat(outLines()).containsExactly("plugins directory " + directory.resolve("nowhere") + " (does not exist)",
                "no backend available: the node cannot start any backend");
    }

    @Test
    void certGeneratesTheCertificateOnFirstUseAndPrintsWhatThePanelNeeds() throws Exception {
        assertThat(run(Map.of(), "cert")).isZero();

        Path file = directory.resolve("data/ssl_cert.pem");
        List<String> lines = outLines();
        assertThat(lines.get(0)).isEqualTo("certificate " + file + " (generated now)");
        X509Certificate printed = pemIn(out.toString(StandardCharsets.UTF_8));
        assertThat(printed).isEqualTo(pemIn(Files.readString(file)));
        assertThat(lines.get(1)).isEqualTo("SHA-256 " + fingerprint(printed));
        assertThat(lines.get(3)).startsWith("valid for localhost, 127.0.0.1, ::1");
        assertThat(directory.resolve("data/api_key")).as("cert leaves the API key alone").doesNotExist();
        out.reset();

        assertThat(run(Map.of(), "cert")).isZero();

        assertThat(outLines().get(0)).isEqualTo("certificate " + file + " (generated earlier)");
        assertThat(pemIn(out.toString(StandardCharsets.UTF_8))).isEqualTo(printed);
    }

    @Test
    void renewMakesANewCertificateWithTheExtraNamesAndALaterRenewalKeepsThem() throws Exception {
        Path apiKey = Files.createDirectories(directory.resolve("data")).resolve("api_key");
        Files.writeString(apiKey, "3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01\n");
        assertThat(run(Map.of(), "cert")).isZero();
        X509Certificate first = pemIn(out.toString(StandardCharsets.UTF_8));
        out.reset();

        assertThat(run(Map.of(), "cert", "--renew", "--san", "node.example.com", "--san", "203.0.113.7")).isZero();

        X509Certificate renewed = pemIn(out.toString(StandardCharsets.UTF_8));
        assertThat(outLines().get(0)).endsWith("(renewed now; the node serves it after its next start)");
        assertThat(fingerprint(renewed)).isNotEqualTo(fingerprint(first));
        assertThat(renewed.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(renewed.getSubjectAlternativeNames()).contains(List.of(DNS_NAME, "node.example.com"))
                .containsAll(first.getSubjectAlternativeNames());
        assertThat(Files.readString(apiKey)).isEqualTo("3f2a1c9e-8d47-4b1a-9c0e-5b6d7e8f9a01\n");
        out.reset();

        assertThat(run(Map.of(), "cert", "--renew")).isZero();

        X509Certificate again = pemIn(out.toString(StandardCharsets.UTF_8));
        assertThat(fingerprint(again)).isNotEqualTo(fingerprint(renewed));
        assertThat(again.getSubjectAlternativeNames()).containsAll(renewed.getSubjectAlternativeNames());
    }

    @Test
    void filesWrittenAsAnotherUserBelongToTheOwnerOfTheDataDirectory() throws Exception {
        // the packaged service's data directory belongs to its user; root renews without `sudo -u`
        Path data = Files.createDirectory(directory.resolve("data"));
        UserPrincipal service = directory.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(
                isRoot() ? "nobody" : System.getProperty("user.name"));
        Files.setOwner(data, service);

        assertThat(run(Map.of(), "cert", "--renew")).isZero();

        assertThat(Files.getOwner(data.resolve("ssl_cert.pem"))).isEqualTo(service);
        assertThat(Files.getOwner(data.resolve("ssl_key.pem"))).isEqualTo(service);
    }

    @Test
    void aNewNameForAnExistingCertificateNeedsRenewAndChangesNothingWithout() throws Exception {
        assertThat(run(Map.of(), "cert")).isZero();
        String before = Files.readString(directory.resolve("data/ssl_cert.pem"));
        out.reset();

        assertThat(run(Map.of(), "cert", "--san", "node.example.com")).isEqualTo(2);

        assertThat(errLines()).first().asString().isEqualTo("pg-node: the certificate "
                + directory.resolve("data/ssl_cert.pem") + " exists and is not valid for node.example.com; add "
                + "--renew to replace it by one that is");
        assertThat(out.size()).isZero();
        assertThat(Files.readString(directory.resolve("data/ssl_cert.pem"))).isEqualTo(before);
    }

    @Test
    void aNameThatIsNeitherHostNorAddressIsAUsageErrorAndCreatesNothing() {
        assertThat(run(Map.of(), "cert", "--san", "https://node.example.com")).isEqualTo(2);

        assertThat(errLines()).first().asString()
                .isEqualTo("pg-node: 'https://node.example.com' (TLS_SAN or --san) is neither a host name nor an "
                        + "IP address; a certificate name is e.g. node.example.com or 203.0.113.7");
        assertThat(directory.resolve("data")).doesNotExist();
    }

    @Test
    void aConfiguredCertificateIsPrintedButNeverRenewed() throws Exception {
        assertThat(run(Map.of("DATA_DIR", "generated"), "cert")).isZero();
        out.reset();
        Map<String, String> configured = Map.of("SSL_CERT_FILE", "generated/ssl_cert.pem",
                "SSL_KEY_FILE", "generated/ssl_key.pem");

        assertThat(run(configured, "cert")).isZero();
        assertThat(outLines().get(0)).isEqualTo("certificate " + directory.resolve("generated/ssl_cert.pem")
                + " (from SSL_CERT_FILE)");
        out.reset();

        assertThat(run(configured, "cert", "--renew")).isEqualTo(1);
        assertThat(errLines()).singleElement().asString().startsWith("pg-node cert: The node serves SSL_CERT_FILE ");
        assertThat(directory.resolve("data")).doesNotExist();
    }

    /** CI and the build machines run as root; elsewhere the owner test has nobody else to hand files to. */
    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs pg-node in the temporary directory with exactly these environment variables. */
    private int run(Map<String, String> environment, String... args) {
        return Main.run(args, environment, directory, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> outLines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static X509Certificate pemIn(String text) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(text.substring(text.indexOf("-----BEGIN")).getBytes(StandardCharsets.US_ASCII)));
    }

    private static String fingerprint(X509Certificate certificate) throws GeneralSecurityException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    @Test
    void aNonUuidApiKeyRefusesToStartWithOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int exitCode = Main.run(new String[] {"run"}, Map.of("API_KEY", "changeme", "NODE_HOST", "127.0.0.1"), directory,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
                .startsWith("pg-node cannot start: API_KEY (from the environment) is not a UUID")
                .doesNotContain("changeme");
        assertThat(directory.resolve("data")).doesNotExist();
    }
}
