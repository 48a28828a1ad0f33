package io.pgnode.host.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.cert.Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsDirectoryTest {

    @TempDir Path installation;

    @Test
    void besideTheInstallationWhenRunFromAJarInLib() throws IOException {
        Path jar = Files.createFile(Files.createDirectory(installation.resolve("lib")).resolve("node-host-1.0.0.jar"));

        assertThat(PluginsDirectory.installationOf(codeSource(jar.toUri().toURL())))
                .contains(installation.resolve("plugins"));
    }

    @Test
    void unknownWhenRunFromAClassesDirectory() throws IOException {
        assertThat(PluginsDirectory.installationOf(codeSource(installation.toUri().toURL()))).isEmpty();
        assertThat(PluginsDirectory.defaultFor(installation)).isEqualTo(installation.resolve("plugins"));
    }

    private static CodeSource codeSource(URL location) {
        return new CodeSource(location, (Certificate[]) null);
    }
}
