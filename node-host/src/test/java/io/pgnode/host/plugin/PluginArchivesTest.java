package io.pgnode.host.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.host.TestingPluginArchive;
import io.pgnode.host.testplugin.TestingBackendFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginArchivesTest {

    @TempDir Path plugins;

    @Test
    void zipsAreUnpackedOutsideThePluginsDirectoryAndRemovedOnClose() {
        Path zip = TestingPluginArchive.plugin("zipped").packageOf(TestingBackendFactory.class).writeZip(plugins);
        Path jar = TestingPluginArchive.plugin("jarred").packageOf(TestingBackendFactory.class).writeJar(plugins);
        List<Path> paths;

        try (PluginArchives archives = new PluginArchives(plugins)) {
            paths = archives.getPluginPaths();

            assertThat(paths).hasSize(2).contains(jar);
            Path unpacked = paths.get(paths.indexOf(jar) == 0 ? 1 : 0);
            assertThat(unpacked).isDirectory();
            assertThat(unpacked.startsWith(plugins)).as("unpacked inside the plugins directory").isFalse();
            assertThat(unpacked.resolve("plugin.properties")).isRegularFile();
            assertThat(archives.archiveName(unpacked)).isEqualTo(zip.getFileName().toString());
            assertThat(archives.archiveName(jar)).isEqualTo(jar.getFileName().toString());
        }

        assertThat(paths).filteredOn(path -> !path.equals(jar)).allSatisfy(path -> assertThat(path).doesNotExist());
    }

    @Test
    void aZipThatCannotBeUnpackedIsAFailureAndTheOthersLoad() throws IOException {
        Files.writeString(plugins.resolve("corrupt.zip"), "not a zip at all");
        Path jar = TestingPluginArchive.plugin("jarred").packageOf(TestingBackendFactory.class).writeJar(plugins);

        try (PluginArchives archives = new PluginArchives(plugins)) {
            List<Path> paths = archives.getPluginPaths();

            assertThat(paths).containsExactly(jar);
            assertThat(archives.failures()).singleElement().satisfies(failure -> {
                assertThat(failure.archive()).isEqualTo("corrupt.zip");
                assertThat(failure.cause()).startsWith("cannot be unpacked: ");
            });
        }
    }

    @Test
    void aDirectoryLeftBesideItsZipIsNotLoadedTwice() throws IOException {
        Path zip = TestingPluginArchive.plugin("zipped").packageOf(TestingBackendFactory.class).writeZip(plugins);
        Files.createDirectory(plugins.resolve(zip.getFileName().toString().replace(".zip", "")));
        Path directoryPlugin = Files.createDirectory(plugins.resolve("unpacked-by-hand"));

        try (PluginArchives archives = new PluginArchives(plugins)) {
            List<Path> paths = archives.getPluginPaths();

            assertThat(paths).hasSize(2).contains(directoryPlugin);
            assertThat(paths).filteredOn(path -> !path.equals(directoryPlugin))
                    .singleElement().satisfies(path -> assertThat(path.startsWith(plugins)).isFalse());
        }
    }
}
