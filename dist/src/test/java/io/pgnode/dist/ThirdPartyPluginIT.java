package io.pgnode.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Proxy;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import io.pgnode.proto.Trojan;
import io.pgnode.proto.User;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend plugin written by a third party, built against the node-spi jar alone (see {@link SamplePlugin}),
 * dropped into the installed node's {@code plugins/} and driven by a panel through the REST API.
 */
class ThirdPartyPluginIT {

    @TempDir Path temp;

    @Test
    void aPluginBuiltAgainstTheSpiJarAloneIsListedAndServesThePanel() throws Exception {
        TestingDistribution distribution = TestingDistribution.unpack(temp);
        Path plugin = SamplePlugin.writeZip(SamplePlugin.compile(temp.resolve("classes")), distribution.plugins());
        try (ZipFile zip = new ZipFile(plugin.toFile())) {
            assertThat(zip.stream().map(ZipEntry::getName).filter(name -> !name.endsWith("/")))
                    .as("the plugin brings its own classes only; the SPI and pf4j come from the node")
                    .containsExactlyInAnyOrder("plugin.properties", "classes/META-INF/extensions.idx",
                            "classes/org/example/pgnode/memory/MemoryBackendFactory.class",
                            "classes/org/example/pgnode/memory/MemoryBackend.class");
        }
        Path work = TestingDistribution.createDirectory(temp.resolve("work"));

        TestingNodeProcess.Result plugins = distribution.run(work, Map.of("MEMORY_GREETING", "hi"), "plugins");

        assertThat(plugins.exitCode()).as("%s", plugins).isZero();
        assertThat(plugins.stdout()).contains("loaded memory 0.1.0 (memory-0.1.0.zip): backend memory, type 100; "
                + "reads MEMORY_GREETING=hi");
        assertThat(plugins.stdout()).last().isEqualTo("3 backends available: xray (type 0), wireguard (type 1), memory (type 100)");

        Map<String, String> settings = new HashMap<>(TestingDistribution.freePorts());
        settings.put("MEMORY_GREETING", "hi");
        try (TestingNodeProcess node = distribution.start(work, settings, "run")) {
            PrintedPanelLine line = PrintedPanelLine.parse(node.awaitLine(PrintedPanelLine.PATTERN, Duration.ofSeconds(60)));
            TestingRestClient rest = TestingRestClient.connect(URI.create("https://127.0.0.1:" + line.restPort()),
                    DistributionSmokeIT.readCertificate(line.certificate()), line.apiKey());

            // a blank config is the plugin's own INVALID_CONFIG, and the node keeps serving
            TestingRestClient.Response refused = rest.call("POST", "/start", memoryBackend(" ", user("alice@x")));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.errorCode()).isEqualTo("INVALID_CONFIG");
            assertThat(refused.errorMessage()).isEqualTo("the memory backend needs a config: any text naming this node");

            BaseInfoResponse started = rest.start(memoryBackend("node-1", user("alice@x")));
            assertThat(started.getStarted()).isTrue();
            assertThat(started.getCoreType()).isEqualTo("memory");
            assertThat(started.getCoreVersion()).isEqualTo("0.1.0");

            try (TestingLogStream logs = rest.logs(false)) {
                rest.syncUser(user("bob@x"));
                // the plugin got its setting, and its log lines reach the panel
                await().atMost(Duration.ofSeconds(10)).until(() -> logs.lines().contains("hi, bob@x synced"));
            }
            assertThat(userStats(rest)).containsExactlyInAnyOrder("alice@x", "bob@x");

            rest.syncUser(User.newBuilder().setEmail("alice@x").build()); // no inbounds: remove
            assertThat(userStats(rest)).containsExactly("bob@x");

            rest.stop();
            assertThat(rest.info().getStarted()).isFalse();
            node.signal("TERM");
            assertThat(node.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }

    private static Backend memoryBackend(String config, User... users) {
        return Backend.newBuilder().setTypeValue(100).setConfig(config).addAllUsers(List.of(users)).build();
    }

    private static User user(String email) {
        return User.newBuilder()
                .setEmail(email)
                .setProxies(Proxy.newBuilder().setTrojan(Trojan.newBuilder().setPassword("secret-of-" + email)))
                .addInbounds("any")
                .build();
    }

    /** The users the backend reports traffic counters for. */
    private static List<String> userStats(TestingRestClient rest) {
        return rest.stats(StatRequest.newBuilder().setType(StatType.UsersStat).build()).getStatsList().stream()
                .map(Stat::getName)
                .distinct()
                .toList();
    }
}
