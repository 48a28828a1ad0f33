package io.pgnode.host.config;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/** Where plugins live when PLUGINS_DIR is not set: {@code plugins/} beside the installation. */
public final class PluginsDirectory {

    private PluginsDirectory() {}

    /**
     * {@code <install>/plugins} when the host runs from a jar in {@code <install>/lib/} (the parent of the
     * jar's directory); {@code plugins} in the working directory when that cannot be told (e.g. classes run
     * from an IDE or a build directory).
     */
    public static Path defaultFor(Path workingDirectory) {
        return installationOf(PluginsDirectory.class.getProtectionDomain().getCodeSource())
                .orElse(workingDirectory.resolve("plugins"));
    }

    static Optional<Path> installationOf(CodeSource codeSource) {
        if (codeSource == null || codeSource.getLocation() == null) {
            return Optional.empty();
        }
        try {
            Path location = Path.of(codeSource.getLocation().toURI());
            if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
                return Optional.empty();
            }
            Path libDirectory = location.toAbsolutePath().getParent();
            Path installation = libDirectory == null ? null : libDirectory.getParent();
            return Optional.ofNullable(installation).map(p -> p.resolve("plugins"));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
