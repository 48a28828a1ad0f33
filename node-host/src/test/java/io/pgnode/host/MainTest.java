package io.pgnode.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when the node will not start. */
class MainTest {

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
        assertThat(run(Map.of(), "--config", "missing.yml")).isEqualTo(1);

        assertThat(errLines()).singleElement().asString().contains("missing.yml").contains("does not exist");
    }

    @Test
    void anUnknownArgumentShowsTheUsage() {
        assertThat(run(Map.of(), "serve")).isEqualTo(2);

        assertThat(errLines()).containsExactly("pg-node: unexpected argument 'serve'", Main.USAGE);
    }

    @Test
    void helpShowsTheUsage() {
        assertThat(run(Map.of(), "--help")).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(Main.USAGE);
        assertThat(errLines()).isEmpty();
    }

    private int run(Map<String, String> environment, String... args) {
        return Main.run(args, environment, directory, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
