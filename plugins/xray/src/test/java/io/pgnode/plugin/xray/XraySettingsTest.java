package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XraySettingsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsFollowTheUpstreamNode() {
        XraySettings settings = XraySettings.from(Map.of());

        assertThat(settings.executable()).isEmpty();
        assertThat(settings.assetsPath()).isEqualTo(Path.of("/usr/local/share/xray"));
        assertThat(settings.generatedConfigPath()).isEqualTo(Path.of("/var/lib/pg-node/generated"));
        assertThat(settings.debug()).isFalse();
    }

    @Test
    void readsEverySetting() {
        XraySettings settings = XraySettings.from(Map.of("XRAY_EXECUTABLE_PATH", "/opt/xray", "XRAY_ASSETS_PATH", "/a",
                "GENERATED_CONFIG_PATH", "/g", "DEBUG", "True"));

        assertThat(settings.executable()).contains(Path.of("/opt/xray"));
        assertThat(settings.assetsPath()).isEqualTo(Path.of("/a"));
        assertThat(settings.generatedConfigPath()).isEqualTo(Path.of("/g"));
        assertThat(settings.debug()).isTrue();
        assertThat(settings.coreEnvironment()).containsEntry("XRAY_LOCATION_ASSET", "/a")
                .containsEntry("V2RAY_LOCATION_ASSET", "/a");
    }

    @Test
    void invalidValuesNameTheSetting() {
        assertInvalid(Map.of("DEBUG", "maybe"), "DEBUG=\"maybe\"");
        assertInvalid(Map.of("XRAY_EXECUTABLE_PATH", "bad\0path"), "XRAY_EXECUTABLE_PATH");
    }

    @Test
    void theDefaultAssetsPathIsPassedOnlyWhenItExists() {
        XraySettings settings = XraySettings.from(Map.of());

        assertThat(settings.coreEnvironment().isEmpty()).isEqualTo(!Files.isDirectory(settings.assetsPath()));
    }

    @Test
    void aMissingConfiguredExecutableNamesThePathAndTheSetting() {
        Path missing = dir.resolve("no-such-xray");
        XraySettings settings = XraySettings.from(Map.of("XRAY_EXECUTABLE_PATH", missing.toString()));

        assertThatThrownBy(() -> settings.locateExecutable("/usr/bin"))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                .hasMessage("xray executable not found at " + missing
                        + "; set XRAY_EXECUTABLE_PATH to the path of an Xray or V2Ray core");
    }

    @Test
    void aNonExecutableFileIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("xray"), "not a program");

        assertThatThrownBy(() -> XraySettings.from(Map.of("XRAY_EXECUTABLE_PATH", file.toString())).locateExecutable(""))
                .hasMessageContaining(file + " is not executable")
                .hasMessageContaining("XRAY_EXECUTABLE_PATH");
    }

    @Test
    void withoutTheSettingXrayOnPathComesBeforeV2ray() throws Exception {
        Path first = Files.createDirectory(dir.resolve("first"));
        Path second = Files.createDirectory(dir.resolve("second"));
        Path v2ray = TestingCoreExecutable.write(first, "v2ray", "V2Ray 4.34.0 (user)");
        Path xray = TestingCoreExecutable.write(second, "xray", TestingCoreExecutable.XRAY_VERSION);
        XraySettings settings = XraySettings.from(Map.of());
        String path = first + ":" + second;

        assertThat(settings.locateExecutable(path)).isEqualTo(xray);
        if (!Files.isExecutable(XraySettings.UPSTREAM_EXECUTABLE)) {
            assertThat(settings.locateExecutable(first.toString())).isEqualTo(v2ray);
        }
    }

    @Test
    void noCoreAnywhereIsAClearError() {
        if (Files.isExecutable(XraySettings.UPSTREAM_EXECUTABLE)) {
            return; // this machine has /usr/local/bin/xray; the search would rightly find it
        }
        assertThatThrownBy(() -> XraySettings.from(Map.of()).locateExecutable(dir.toString()))
                .hasMessageContaining("no xray executable found")
                .hasMessageContaining("/usr/local/bin/xray")
                .hasMessageContaining("XRAY_EXECUTABLE_PATH");
    }

    private static void assertInvalid(Map<String, String> values, String naming) {
        assertThatThrownBy(() -> XraySettings.from(values))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_CONFIG))
                .hasMessageContaining(naming);
    }
}
