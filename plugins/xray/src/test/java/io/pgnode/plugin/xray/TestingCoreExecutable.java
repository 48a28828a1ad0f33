package io.pgnode.plugin.xray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
