package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.BackendException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreVersionTest {

    @TempDir
    Path dir;

    @Test
    void parsesXraysVersionLine() {
        String output = "Xray 26.7.28 (Xray, Penetrates Everything.) 5ca6f4b (go1.24.4 linux/amd64)\n"
                + "A unified platform for anti-censorship.\n";

        assertThat(CoreVersion.parse(output)).contains(new CoreVersion(CoreFlavor.XRAY, "26.7.28"));
    }

    @Test
    void parsesOlderXrayAndLocalBuilds() {
        assertThat(CoreVersion.parse("Xray 1.8.24 (Xray, Penetrates Everything.) Custom (go1.22 linux/amd64)"))
                .contains(new CoreVersion(CoreFlavor.XRAY, "1.8.24"));
    }

    @Test
    void parsesDebiansAndUpstreamV2flyVersionLines() {
        assertThat(CoreVersion.parse("V2Ray 4.34.0 (user) 20230518-074445 (go1.19.8 linux/amd64)\n"
                + "A unified platform for anti-censorship.")).contains(new CoreVersion(CoreFlavor.V2FLY, "4.34.0"));
        assertThat(CoreVersion.parse("V2Ray 4.45.2 (V2Fly, a community-driven edition of V2Ray.) Custom (go1.18 linux/amd64)"))
                .contains(new CoreVersion(CoreFlavor.V2FLY, "4.45.2"));
    }

    @Test
    void findsTheVersionLineAfterOtherOutput() {
        assertThat(CoreVersion.parse("some warning\nXray 25.1.1 (Xray) x (go)"))
                .contains(new CoreVersion(CoreFlavor.XRAY, "25.1.1"));
    }

    @Test
    void otherOutputHasNoVersion() {
        assertThat(CoreVersion.parse("")).isEmpty();
        assertThat(CoreVersion.parse("sing-box version 1.9.0")).isEmpty();
    }

    @Test
    void detectAsksTheExecutable() throws Exception {
        Path xray = TestingCoreExecutable.write(dir, "xray", TestingCoreExecutable.XRAY_VERSION);

        assertThat(CoreVersion.detect(xray, Map.of())).isEqualTo(new CoreVersion(CoreFlavor.XRAY, "26.7.28"));
    }

    @Test
    void anExecutableThatIsNoCoreIsAClearFailure() throws Exception {
        Path other = TestingCoreExecutable.write(dir, "other", "hello from something else");

        assertThatThrownBy(() -> CoreVersion.detect(other, Map.of()))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.FAILURE))
                .hasMessageContaining(other.toString())
                .hasMessageContaining("hello from something else")
                .hasMessageContaining("XRAY_EXECUTABLE_PATH");
    }
}
