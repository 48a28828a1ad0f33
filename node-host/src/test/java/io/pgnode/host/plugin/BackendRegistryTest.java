package io.pgnode.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.CapturedLogs;
import io.pgnode.host.TestingPluginArchive;
import io.pgnode.host.testplugin.TestingBackendFactory;
import io.pgnode.host.testplugin.broken.BrokenBackendFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendRegistryTest {

    @TempDir Path plugins;

    @Test
    void registersTheBackendOfAZipPlugin() {
        testingZip("testing");

        try (CapturedLogs logs = CapturedLogs.of(BackendRegistry.class);
                BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.lookup(TestingBackendFactory.TYPE)).hasValueSatisfying(backend -> {
                assertThat(backend.name()).isEqualTo("testing");
                assertThat(backend.pluginId()).isEqualTo("testing");
                assertThat(backend.settingNames()).containsExactlyInAnyOrder("TESTING_GREETING", "TESTING_SECRET");
                assertThat(backend.secretSettingNames()).containsExactly("TESTING_SECRET");
            });
            assertThat(registry.lookup(0)).isEmpty();
            assertThat(registry.describe()).isEqualTo("testing (type 100)");
            assertThat(logs.lines()).containsExactly(
                    "INFO Backend registered: testing (type 100, plugin testing) from testing 1.0.0");
        }
    }

    @Test
    void registersTheBackendOfAJarPlugin() {
        TestingPluginArchive.plugin("testing-jar")
                .packageOf(TestingBackendFactory.class)
                .extension(TestingBackendFactory.class.getName())
                .writeJar(plugins);

        try (BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.lookup(TestingBackendFactory.TYPE)).hasValueSatisfying(
                    backend -> assertThat(backend.pluginId()).isEqualTo("testing-jar"));
        }
    }

    @Test
    void skipsABackendThatCannotBeLoadedAndSaysWhy() {
        testingZip("testing");
        TestingPluginArchive.plugin("broken")
                .classOnly(BrokenBackendFactory.class)
                .extension(BrokenBackendFactory.class.getName())
                .writeJar(plugins);

        try (CapturedLogs logs = CapturedLogs.of(BackendRegistry.class);
                BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.all()).extracting(BackendPlugin::name).containsExactly("testing");
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line)
                    .startsWith("WARN Plugin 'broken': backend " + BrokenBackendFactory.class.getName() + " skipped")
                    .contains("NoClassDefFoundError")
                    .contains("MissingBase"));
            assertThat(registry.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.archive()).isEqualTo("broken-1.0.0.jar");
                assertThat(failure.cause()).startsWith("backend " + BrokenBackendFactory.class.getName()
                        + " skipped: NoClassDefFoundError").contains("MissingBase");
            });
        }
    }

    @Test
    void aPluginForANewerNodeIsAFailureSayingWhichVersionItNeeds() {
        TestingPluginArchive.plugin("future")
                .requires(">=9.0.0")
                .packageOf(TestingBackendFactory.class)
                .extension(TestingBackendFactory.class.getName())
                .writeZip(plugins);

        try (BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.all()).isEmpty();
            assertThat(registry.failures()).containsExactly(new PluginFailure("future-1.0.0.zip",
                    "skipped: it needs pg-node >=9.0.0 and this node is 1.0.0"));
        }
    }

    @Test
    void aPluginWithoutABackendFactoryIsAFailureThatPointsAtTheIndex() {
        TestingPluginArchive.plugin("empty").packageOf(TestingBackendFactory.class).writeJar(plugins);

        try (BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.archive()).isEqualTo("empty-1.0.0.jar");
                assertThat(failure.cause()).contains("no BackendFactory extension", "META-INF/extensions.idx");
            });
        }
    }

    @Test
    void theNodeOnlyReadsThePluginsDirectory() throws IOException {
        testingZip("testing");
        List<Path> before = listing();

        try (BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.lookup(TestingBackendFactory.TYPE)).isPresent();
            assertThat(listing()).isEqualTo(before);
        }
    }

    @Test
    void skipsAnArchiveThatIsNoPlugin() throws IOException {
        testingZip("testing");
        Files.createDirectory(plugins.resolve("not-a-plugin"));

        try (CapturedLogs logs = CapturedLogs.of(NodePluginManager.class);
                BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.all()).extracting(BackendPlugin::name).containsExactly("testing");
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN Plugin ")
                    .contains("not-a-plugin skipped"));
        }
    }

    @Test
    void keepsTheFirstOfTwoBackendsForOneType() {
        testingZip("testing");
        testingZip("testing-again");

        try (CapturedLogs logs = CapturedLogs.of(BackendRegistry.class);
                BackendRegistry registry = BackendRegistry.load(plugins, "1.0.0")) {
            assertThat(registry.all()).hasSize(1);
            assertThat(logs.lines()).anySatisfy(line -> assertThat(line).contains("type 100 is already served by"));
        }
    }

    @Test
    void noPluginsDirectoryMeansNoBackends() {
        try (BackendRegistry registry = BackendRegistry.load(plugins.resolve("missing"), "1.0.0")) {
            assertThat(registry.all()).isEmpty();
            assertThat(registry.describe()).isEqualTo("none");
        }
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(plugins)) {
            return files.sorted().toList();
        }
    }

    private void testingZip(String pluginId) {
        TestingPluginArchive.plugin(pluginId)
                .packageOf(TestingBackendFactory.class)
                .extension(TestingBackendFactory.class.getName())
                .writeZip(plugins);
    }
}
