package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.plugin.xray.latency.LatencySettings;
import io.pgnode.spi.BackendException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The plugin's node settings, parsed and checked. Names and defaults follow the upstream node.
 *
 * @param executable XRAY_EXECUTABLE_PATH when set; otherwise the core is searched (see {@link #locateExecutable})
 * @param assetsPath XRAY_ASSETS_PATH: geoip/geosite files, passed as XRAY_LOCATION_ASSET/V2RAY_LOCATION_ASSET
 * @param assetsPathSet whether the operator set XRAY_ASSETS_PATH (else it is passed only if the default exists)
 * @param generatedConfigPath GENERATED_CONFIG_PATH: where DEBUG writes the rendered config
 * @param debug DEBUG: also write the rendered config to {@code generatedConfigPath}
 */
record XraySettings(Optional<Path> executable, Path assetsPath, boolean assetsPathSet, Path generatedConfigPath,
        boolean debug) {

    static final String EXECUTABLE = "XRAY_EXECUTABLE_PATH";
    static final String ASSETS = "XRAY_ASSETS_PATH";
    static final String GENERATED_CONFIG = "GENERATED_CONFIG_PATH";
    static final String DEBUG = "DEBUG";

    /**
     * Every setting the plugin reads (the latency probes' too), for {@code BackendFactory.settingNames()}.
     * (XRAY_DRAIN_INTERVAL is gone: the node drains every backend's usage itself.)
     */
    static final Set<String> NAMES = Set.of(EXECUTABLE, ASSETS, GENERATED_CONFIG, DEBUG, LatencySettings.TEST_URL,
            LatencySettings.TIMEOUT);

    /** Where the official Xray installer puts the core; upstream's default XRAY_EXECUTABLE_PATH. */
    static final Path UPSTREAM_EXECUTABLE = Path.of("/usr/local/bin/xray");

    private static final Path DEFAULT_ASSETS = Path.of("/usr/local/share/xray");
    private static final Path DEFAULT_GENERATED = Path.of("/var/lib/pg-node/generated");

    XraySettings {
        requireNonNull(executable, "executable is null");
        requireNonNull(assetsPath, "assetsPath is null");
        requireNonNull(generatedConfigPath, "generatedConfigPath is null");
    }

    /**
     * Reads the settings the host passed; a missing or blank one takes its default.
     *
     * @throws BackendException {@code INVALID_CONFIG} naming the setting and its bad value
     */
    static XraySettings from(Map<String, String> settings) {
        Optional<String> executable = value(settings, EXECUTABLE);
        Optional<String> assets = value(settings, ASSETS);
        return new XraySettings(
                executable.map(v -> path(EXECUTABLE, v)),
                assets.map(v -> path(ASSETS, v)).orElse(DEFAULT_ASSETS),
                assets.isPresent(),
                value(settings, GENERATED_CONFIG).map(v -> path(GENERATED_CONFIG, v)).orElse(DEFAULT_GENERATED),
                value(settings, DEBUG).map(XraySettings::bool).orElse(false));
    }

    private static Optional<String> value(Map<String, String> settings, String name) {
        return Optional.ofNullable(settings.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(name, value, "is not a valid path");
        }
    }

    private static boolean bool(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": case "on":
                return true;
            case "false": case "0": case "no": case "off":
                return false;
            default:
                throw invalid(DEBUG, value, "must be true or false");
        }
    }

    private static BackendException invalid(String name, String value, String problem) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG,
                "setting " + name + "=\"" + value + "\" " + problem);
    }

    /**
     * The core to run. With XRAY_EXECUTABLE_PATH set, exactly that file. Otherwise the first of: {@code xray}
     * on PATH, {@code /usr/local/bin/xray} (upstream's default, often missing from a service's PATH),
     * {@code v2ray} on PATH. Xray comes before v2fly because it is the core the panel is built for.
     *
     * @param pathVariable the PATH to search (the node's environment)
     * @throws BackendException {@code FAILURE} naming the path(s) and XRAY_EXECUTABLE_PATH
     */
    Path locateExecutable(String pathVariable) {
        if (executable.isPresent()) {
            Path path = executable.get();
            if (!Files.isRegularFile(path)) {
                throw new BackendException(BackendException.Kind.FAILURE, "xray executable not found at " + path
                        + "; set " + EXECUTABLE + " to the path of an Xray or V2Ray core");
            }
            if (!Files.isExecutable(path)) {
                throw new BackendException(BackendException.Kind.FAILURE, "xray executable at " + path
                        + " is not executable; fix its permissions or set " + EXECUTABLE);
            }
            return path;
        }
        List<Path> candidates = new ArrayList<>();
        candidates.addAll(onPath(pathVariable, "xray"));
        candidates.add(UPSTREAM_EXECUTABLE);
        candidates.addAll(onPath(pathVariable, "v2ray"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new BackendException(BackendException.Kind.FAILURE, "no xray executable found: looked for xray and v2ray"
                + " on PATH and at " + UPSTREAM_EXECUTABLE + "; install a core or set " + EXECUTABLE);
    }

    private static List<Path> onPath(String pathVariable, String name) {
        List<Path> found = new ArrayList<>();
        for (String dir : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                try {
                    found.add(Path.of(dir, name));
                } catch (InvalidPathException ignored) {
                    // a malformed PATH entry cannot hold the core
                }
            }
        }
        return found;
    }

    /**
     * Environment for the core: the assets directory under both cores' names, when the operator set it or
     * the default exists (otherwise the core's own default search stays in force, e.g. Debian's v2ray).
     */
    Map<String, String> coreEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        if (assetsPathSet || Files.isDirectory(assetsPath)) {
            env.put("XRAY_LOCATION_ASSET", assetsPath.toString());
            env.put("V2RAY_LOCATION_ASSET", assetsPath.toString());
        }
        return env;
    }
}
