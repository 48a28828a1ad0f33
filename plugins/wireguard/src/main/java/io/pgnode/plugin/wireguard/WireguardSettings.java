package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The plugin's node settings, parsed and checked.
 *
 * @param mode WIREGUARD_MODE: who runs the interface
 * @param wireguardGo WIREGUARD_GO_PATH when set (userspace mode)
 * @param wg WIREGUARD_WG_PATH when set: wireguard-tools' {@code wg}
 * @param ip WIREGUARD_IP_PATH when set: iproute2's {@code ip}
 * @param curl WIREGUARD_CURL_PATH when set: the latency probe's HTTP client
 * @param logLevel WIREGUARD_LOG_LEVEL: what wireguard-go prints (its LOG_LEVEL)
 */
record WireguardSettings(Mode mode, Optional<Path> wireguardGo, Optional<Path> wg, Optional<Path> ip,
        Optional<Path> curl, String logLevel) {

    static final String MODE = "WIREGUARD_MODE";
    static final String GO_PATH = "WIREGUARD_GO_PATH";
    static final String WG_PATH = "WIREGUARD_WG_PATH";
    static final String IP_PATH = "WIREGUARD_IP_PATH";
    static final String CURL_PATH = "WIREGUARD_CURL_PATH";
    static final String LOG_LEVEL = "WIREGUARD_LOG_LEVEL";

    /** Every setting the plugin reads, for {@code BackendFactory.settingNames()}. */
    static final Set<String> NAMES = Set.of(MODE, GO_PATH, WG_PATH, IP_PATH, CURL_PATH, LOG_LEVEL);

    /** Searched after PATH: a service's PATH often lacks the sbin directories where Debian puts {@code ip}. */
    private static final List<Path> WELL_KNOWN = List.of(Path.of("/usr/local/bin"), Path.of("/usr/bin"),
            Path.of("/bin"), Path.of("/usr/local/sbin"), Path.of("/usr/sbin"), Path.of("/sbin"));

    /** Who creates and runs the interface. */
    enum Mode {
        /** {@code wireguard-go} as a child process: needs /dev/net/tun and CAP_NET_ADMIN. */
        USERSPACE,
        /** The kernel's wireguard module ({@code ip link add ... type wireguard}): needs CAP_NET_ADMIN. */
        KERNEL
    }

    WireguardSettings {
        requireNonNull(mode, "mode is null");
        requireNonNull(wireguardGo, "wireguardGo is null");
        requireNonNull(wg, "wg is null");
        requireNonNull(ip, "ip is null");
        requireNonNull(curl, "curl is null");
        requireNonNull(logLevel, "logLevel is null");
    }

    /**
     * Reads the settings the host passed; a missing or blank one takes its default.
     *
     * @throws BackendException {@code INVALID_CONFIG} naming the setting and its bad value
     */
    static WireguardSettings from(Map<String, String> settings) {
        return new WireguardSettings(
                value(settings, MODE).map(WireguardSettings::mode).orElse(Mode.USERSPACE),
                value(settings, GO_PATH).map(v -> path(GO_PATH, v)),
                value(settings, WG_PATH).map(v -> path(WG_PATH, v)),
                value(settings, IP_PATH).map(v -> path(IP_PATH, v)),
                value(settings, CURL_PATH).map(v -> path(CURL_PATH, v)),
                value(settings, LOG_LEVEL).map(WireguardSettings::logLevel).orElse("error"));
    }

    private static Optional<String> value(Map<String, String> settings, String name) {
        return Optional.ofNullable(settings.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Mode mode(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "userspace":
                return Mode.USERSPACE;
            case "kernel":
                return Mode.KERNEL;
            default:
                throw invalid(MODE, value, "must be userspace or kernel");
        }
    }

    private static String logLevel(String value) {
        String level = value.toLowerCase(Locale.ROOT);
        if (!Set.of("verbose", "error", "silent").contains(level)) {
            throw invalid(LOG_LEVEL, value, "must be verbose, error or silent");
        }
        return level;
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(name, value, "is not a valid path");
        }
    }

    private static BackendException invalid(String name, String value, String problem) {
        return new BackendException(BackendException.Kind.INVALID_CONFIG,
                "setting " + name + "=\"" + value + "\" " + problem);
    }

    /** The tools of this mode, found: {@code wireguard-go} (userspace), {@code wg} and {@code ip}. */
    Tools locate(String pathVariable) {
        Optional<Path> go = mode == Mode.USERSPACE
                ? Optional.of(locate(wireguardGo, "wireguard-go", GO_PATH, "wireguard-go", pathVariable))
                : Optional.empty();
        Path wgTool = locate(wg, "wg", WG_PATH, "wireguard-tools", pathVariable);
        Path ipTool = locate(ip, "ip", IP_PATH, "iproute2", pathVariable);
        Optional<Path> curlTool = curl.isPresent() ? Optional.of(curl.get())
                : find("curl", pathVariable);
        return new Tools(go, wgTool, ipTool, curlTool);
    }

    /**
     * The executables the backend runs.
     *
     * @param wireguardGo the userspace daemon; empty in kernel mode
     * @param wg configures the interface and reads its peers and counters
     * @param ip creates (kernel mode) and removes interfaces, sets addresses, reads the interface's counters
     * @param curl the latency probe; empty when none is installed (only the probe then fails)
     */
    record Tools(Optional<Path> wireguardGo, Path wg, Path ip, Optional<Path> curl) {
        Tools {
            requireNonNull(wireguardGo, "wireguardGo is null");
            requireNonNull(wg, "wg is null");
            requireNonNull(ip, "ip is null");
            requireNonNull(curl, "curl is null");
        }
    }

    /**
     * With the setting given, exactly that file; otherwise the name on PATH, then in the usual bin and sbin
     * directories.
     *
     * @throws BackendException {@code FAILURE} naming what was looked for, the package and the setting
     */
    private static Path locate(Optional<Path> configured, String name, String setting, String debianPackage,
            String pathVariable) {
        if (configured.isPresent()) {
            Path path = configured.get();
            if (!Files.isRegularFile(path)) {
                throw new BackendException(BackendException.Kind.FAILURE, name + " not found at " + path + "; install "
                        + debianPackage + " or set " + setting + " to the path of " + name);
            }
            if (!Files.isExecutable(path)) {
                throw new BackendException(BackendException.Kind.FAILURE, name + " at " + path
                        + " is not executable; fix its permissions or set " + setting);
            }
            return path;
        }
        return find(name, pathVariable).orElseThrow(() -> new BackendException(BackendException.Kind.FAILURE,
                "no " + name + " found on PATH or in /usr/bin, /usr/sbin, /bin, /sbin, /usr/local/bin, /usr/local/sbin;"
                        + " install " + debianPackage + " (apt-get install " + debianPackage + ") or set " + setting));
    }

    private static Optional<Path> find(String name, String pathVariable) {
        List<Path> directories = new ArrayList<>();
        for (String dir : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                try {
                    directories.add(Path.of(dir));
                } catch (InvalidPathException ignored) {
                    // a malformed PATH entry holds no tool
                }
            }
        }
        directories.addAll(WELL_KNOWN);
        return directories.stream().map(dir -> dir.resolve(name))
                .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
                .findFirst();
    }
}
