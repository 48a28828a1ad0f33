package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The plugin zip the {@code package} phase built, installed as an operator installs it. */
final class BuiltPluginZip {

    private BuiltPluginZip() {}

    /** Creates {@code parent/plugins} with the zip in it and returns that directory (the node's PLUGINS_DIR). */
    static Path installIn(Path parent) {
        Path zip = Path.of(System.getProperty("pgnode.pluginZip", "target/wireguard-plugin-1.0.0.zip"));
        assertThat(zip).as("built by the package phase (run the *IT tests with failsafe)").exists();
        try {
            Path plugins = Files.createDirectories(parent.resolve("plugins"));
            Files.copy(zip, plugins.resolve(zip.getFileName()));
            return plugins;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
