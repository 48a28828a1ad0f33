package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tarball holds and whether its documents tell the operator the truth. */
class DistributionLayoutIT {

    private static final Pattern DOCUMENTED_SETTING = Pattern.compile("^#([A-Z][A-Z0-9_]*)[:=]", Pattern.MULTILINE);

    @TempDir Path temp;

    @Test
    void theTarballHoldsTheLauncherTheHostThePluginAndTheOperatorsFiles() throws IOException {
        Path home = TestingDistribution.unpack(temp).home();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("bin/pg-node"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(home.resolve("lib/node-host-" + TestingDistribution.VERSION + ".jar")).isRegularFile();
        assertThat(home.resolve("lib/node-spi-" + TestingDistribution.VERSION + ".jar")).isRegularFile();
        try (Stream<Path> plugins = Files.list(home.resolve("plugins"))) {
            assertThat(plugins.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("xray-plugin-" + TestingDistribution.VERSION + ".zip",
                            "wireguard-plugin-" + TestingDistribution.VERSION + ".zip");
        }
        for (String file : List.of("conf/node.yml", "conf/.env.example", "systemd/pg-node.service",
                "systemd/wireguard.conf", "Dockerfile", "INSTALL.md")) {
            assertThat(home.resolve(file)).isRegularFile();
        }
        assertThat(home.resolve("INSTALL.md")).content()
                .contains("tar xzf pg-node-" + TestingDistribution.VERSION + ".tar.gz")
                .doesNotContain("${project.version}");
    }

    @Test
    void nodeYmlDocumentsEverySettingTheNodeAndItsPluginReadAndNothingElse() throws IOException {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Set<String> read = new TreeSet<>(Settings.NAMES);
        read.addAll(pluginSettings(distribution.run(temp, Map.of(), "plugins").stdout()));

        Set<String> inNodeYml = documented(distribution.home().resolve("conf/node.yml"));
        Set<String> inEnvExample = documented(distribution.home().resolve("conf/.env.example"));

        assertThat(read).contains("XRAY_EXECUTABLE_PATH", "WIREGUARD_MODE");
        assertThat(inNodeYml).isEqualTo(read);
        // the upstream node's names, all of which pg-node reads
        assertThat(inEnvExample).containsExactlyInAnyOrder("SERVICE_PORT", "SERVICE_PROTOCOL", "NODE_HOST",
                "API_KEY", "SSL_CERT_FILE", "SSL_KEY_FILE", "XRAY_EXECUTABLE_PATH", "XRAY_ASSETS_PATH",
                "GENERATED_CONFIG_PATH", "DEBUG", "LOG_BUFFER_SIZE");
        assertThat(read).containsAll(inEnvExample);
    }

    @Test
    void theServiceAndTheImageRunTheInstalledLauncherAsADedicatedUserWithDataInVarLib() throws IOException {
        Path home = TestingDistribution.unpack(temp).home();

        String unit = Files.readString(home.resolve("systemd/pg-node.service"));
        assertThat(unit.lines()).contains("User=pg-node", "WorkingDirectory=/opt/pg-node", "StateDirectory=pg-node",
                "Environment=DATA_DIR=/var/lib/pg-node", "ExecStart=/opt/pg-node/bin/pg-node run",
                "Restart=on-failure", "KillMode=mixed");
        String dockerfile = Files.readString(home.resolve("Dockerfile"));
        assertThat(dockerfile.lines()).contains("FROM eclipse-temurin:17-jre", "COPY . /opt/pg-node",
                "ENV DATA_DIR=/var/lib/pg-node", "USER pg-node", "EXPOSE 62050 62051", "VOLUME /var/lib/pg-node",
                "ENTRYPOINT [\"/opt/pg-node/bin/pg-node\"]");
        assertThat(Files.readString(home.resolve("INSTALL.md")))
                .contains("useradd --system --home-dir /var/lib/pg-node --shell /usr/sbin/nologin pg-node",
                        "ln -sfn /opt/pg-node-" + TestingDistribution.VERSION + " /opt/pg-node");
    }

    @Test
    void aWireguardNodeGetsTheCapabilityAndTheSocketDirectoryFromTheShippedDropIn() throws IOException {
        Path home = TestingDistribution.unpack(temp).home();

        String dropIn = Files.readString(home.resolve("systemd/wireguard.conf"));
        assertThat(dropIn.lines()).contains("[Service]", "AmbientCapabilities=CAP_NET_ADMIN",
                "CapabilityBoundingSet=CAP_NET_ADMIN", "RuntimeDirectory=wireguard");
        String unit = Files.readString(home.resolve("systemd/pg-node.service"));
        assertThat(unit.lines()).as("a device restriction would hide /dev/net/tun from wireguard-go")
                .noneMatch(line -> line.startsWith("PrivateDevices=") || line.startsWith("DevicePolicy="));
        assertThat(Files.readString(home.resolve("INSTALL.md")))
                .contains("apt-get install --no-install-recommends wireguard-go wireguard-tools iproute2",
                        "cp /opt/pg-node/systemd/wireguard.conf /etc/systemd/system/pg-node.service.d/");
    }

    /** The names a `pg-node plugins` line says a backend reads: "...; reads A, B=value, C". */
    private static Set<String> pluginSettings(List<String> pluginsOutput) {
        Set<String> names = new TreeSet<>();
        for (String line : pluginsOutput) {
            int reads = line.indexOf("; reads ");
            if (line.startsWith("loaded ") && reads >= 0) {
                Arrays.stream(line.substring(reads + "; reads ".length()).split(", "))
                        .map(setting -> setting.split("=", 2)[0])
                        .forEach(names::add);
            }
        }
        return names;
    }

    private static Set<String> documented(Path file) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher matcher = DOCUMENTED_SETTING.matcher(Files.readString(file));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }
}
