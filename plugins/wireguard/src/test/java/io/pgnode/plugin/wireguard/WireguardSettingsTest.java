package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WireguardSettingsTest {

    @TempDir Path temp;

    @Test
    void withoutSettingsTheUserspaceToolsAreLookedForOnPathAndInTheUsualPlaces() throws IOException {
        Path bin = Files.createDirectories(temp.resolve("bin"));
        for (String tool : new String[] {"wireguard-go", "wg", "ip"}) {
            executable(bin.resolve(tool));
        }

        WireguardSettings settings = WireguardSettings.from(Map.of());
        WireguardSettings.Tools tools = settings.locate(bin.toString());

        assertThat(settings.mode()).isEqualTo(WireguardSettings.Mode.USERSPACE);
        assertThat(settings.logLevel()).isEqualTo("error");
        assertThat(tools.wireguardGo()).hasValue(bin.resolve("wireguard-go"));
        assertThat(tools.wg()).isEqualTo(bin.resolve("wg"));
        assertThat(tools.ip()).isEqualTo(bin.resolve("ip"));
    }

    @Test
    void kernelModeNeedsNoWireguardGo() throws IOException {
        Path wg = executable(temp.resolve("my-wg"));
        Path ip = executable(temp.resolve("my-ip"));

        WireguardSettings.Tools tools = WireguardSettings.from(Map.of("WIREGUARD_MODE", "Kernel",
                "WIREGUARD_GO_PATH", "/nonexistent", "WIREGUARD_WG_PATH", wg.toString(), "WIREGUARD_IP_PATH",
                ip.toString())).locate("");

        assertThat(tools.wireguardGo()).isEmpty();
        assertThat(tools.wg()).isEqualTo(wg);
    }

    @Test
    void aBadSettingOrAMissingToolIsASentenceNamingTheSetting() throws IOException {
        assertThatThrownBy(() -> WireguardSettings.from(Map.of("WIREGUARD_MODE", "fast")))
                .isInstanceOf(BackendException.class)
                .hasMessage("setting WIREGUARD_MODE=\"fast\" must be userspace or kernel");
        assertThatThrownBy(() -> WireguardSettings.from(Map.of("WIREGUARD_LOG_LEVEL", "loud")))
                .hasMessage("setting WIREGUARD_LOG_LEVEL=\"loud\" must be verbose, error or silent");
        assertThatThrownBy(() -> WireguardSettings.from(Map.of("WIREGUARD_WG_PATH", "/nonexistent/wg")).locate(""))
                .hasMessage("wg not found at /nonexistent/wg; install wireguard-tools or set WIREGUARD_WG_PATH to the"
                        + " path of wg");
        Path notExecutable = Files.writeString(temp.resolve("ip"), "");
        assertThatThrownBy(() -> WireguardSettings.from(Map.of("WIREGUARD_IP_PATH", notExecutable.toString()))
                .locate("")).hasMessage("ip at " + notExecutable + " is not executable; fix its permissions or set"
                        + " WIREGUARD_IP_PATH");
    }

    private static Path executable(Path file) throws IOException {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
