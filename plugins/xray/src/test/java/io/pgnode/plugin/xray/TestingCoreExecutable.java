package io.pgnode.plugin.xray;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A stand-in core executable (a shell script) for tests that fake the core's API in-process: it prints a
 * version like the real core, and when run it records its arguments, stores the config it reads from
 * stdin and then idles until it is stopped, as a core would.
 */
final class TestingCoreExecutable {

    static final String XRAY_VERSION = "Xray 26.7.28 (Xray, Penetrates Everything.) 5ca6f4b (go1.24.4 linux/amd64)\n"
            + "A unified platform for anti-censorship.";

    private TestingCoreExecutable() {}

    /**
     * Writes the script as {@code dir/name}. Beside it, each run leaves {@code args} and {@code config.json}.
     *
     * @param versionOutput what {@code -version} and {@code version} print
     */
    /**
     * The config the script read on its last run, once it is written: the backend's start returns as soon as the
     * (in-process) API answers, which can be before the script has moved the config into place.
     */
    static JsonNode lastConfig(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        await("the stand-in core's config.json").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(file));
        return PanelConfig.JSON.readTree(file.toFile());
    }

    static Path write(Path dir, String name, String versionOutput) throws IOException {
        Path script = dir.resolve(name);
        String here = dir.toAbsolutePath().toString();
        Files.writeString(script, String.join("\n", List.of(
                "#!/bin/sh",
                "case \"$1\" in",
                "  -version|version)",
                "    cat <<'EOF'",
                versionOutput,
                "EOF",
                "    exit 0;;",
                "esac",
                "echo \"$@\" > '" + here + "/args'",
                "cat > '" + here + "/config.json.part'",
                "mv '" + here + "/config.json.part' '" + here + "/config.json'",
                "echo 'fake core started'",
                "exec sleep 120",
                "")));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
