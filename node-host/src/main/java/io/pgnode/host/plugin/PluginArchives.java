package io.pgnode.host.plugin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.pf4j.PluginRepository;
import org.pf4j.util.FileUtils;
import org.pf4j.util.Unzip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins of the plugins directory, which the node only reads: jars as they are, directories in place, and
 * zips unpacked into a temporary directory of this process. pf4j's own repository unpacks a zip beside itself,
 * which fails when the directory belongs to root and the node runs as its own user (the packaged service).
 * {@link #close()} deletes the unpacked copies.
 */
final class PluginArchives implements PluginRepository, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginArchives.class);

    private final Path directory;
    private final List<PluginFailure> failures = new ArrayList<>();
    private final Map<Path, String> archiveNames = new HashMap<>();
    private Path unpacked;

    PluginArchives(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /** Every plugin path pf4j should load, in file name order; a zip that cannot be unpacked is a failure. */
    @Override
    public List<Path> getPluginPaths() {
        List<Path> paths = new ArrayList<>();
        for (Path entry : entries()) {
            String name = entry.getFileName().toString();
            String lowerCase = name.toLowerCase(Locale.ROOT);
            if (Files.isDirectory(entry)) {
                // pf4j of earlier versions left the unpacked copy of a zip beside it: the zip is the plugin
                if (!Files.exists(entry.resolveSibling(name + ".zip"))) {
                    add(paths, entry, name);
                }
            } else if (lowerCase.endsWith(".jar")) {
                add(paths, entry, name);
            } else if (lowerCase.endsWith(".zip")) {
                unpack(entry).ifPresent(path -> add(paths, path, name));
            }
        }
        return paths;
    }

    /** The node never deletes plugins. */
    @Override
    public boolean deletePluginPath(Path pluginPath) {
        return false;
    }

    /** The file name in the plugins directory that a plugin path came from (a zip's name for its unpacked copy). */
    String archiveName(Path pluginPath) {
        return archiveNames.getOrDefault(pluginPath, pluginPath.getFileName().toString());
    }

    /** Archives that could not even be unpacked. */
    List<PluginFailure> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() {
        if (unpacked != null) {
            try {
                FileUtils.delete(unpacked);
            } catch (IOException e) {
                log.warn("Cannot delete the unpacked plugins in {}: {}", unpacked, e.getMessage());
            }
        }
    }

    private List<Path> entries() {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the plugins directory " + directory, e);
        }
    }

    private void add(List<Path> paths, Path pluginPath, String archiveName) {
        paths.add(pluginPath);
        archiveNames.put(pluginPath, archiveName);
    }

    private Optional<Path> unpack(Path zip) {
        String name = zip.getFileName().toString();
        try {
            if (unpacked == null) {
                unpacked = Files.createTempDirectory("pg-node-plugins-");
            }
            Path target = unpacked.resolve(name.substring(0, name.length() - ".zip".length()));
            new Unzip(zip.toFile(), target.toFile()).extract();
            if (!Files.isDirectory(target)) {
                return fail(name, "cannot be unpacked: it is empty or not a zip file");
            }
            return Optional.of(target);
        } catch (IOException e) {
            return fail(name, "cannot be unpacked: " + PluginFailures.describe(e));
        }
    }

    private Optional<Path> fail(String name, String cause) {
        log.warn("Plugin {} skipped: {}", name, cause);
        failures.add(new PluginFailure(name, cause));
        return Optional.empty();
    }
}
