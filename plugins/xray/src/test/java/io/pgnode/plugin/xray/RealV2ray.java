package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real v2fly core these tests run against (Debian's v2ray 4.34.0), and free loopback ports for it. */
final class RealV2ray {

    static final Path EXECUTABLE = Path.of("/usr/bin/v2ray");
    /** The core's own command-line API client, shipped in the same package. */
    static final Path CTL = Path.of("/usr/bin/v2ctl");

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final Pattern STAT = Pattern.compile("name: \"([^\"]*)\"\\s*(?:value: (-?\\d+))?");

    private RealV2ray() {}

    /**
     * The v2ray executable. A missing core fails the test (in CI and elsewhere): these tests are the proof
     * that the plugin drives a real core, so they never pass by skipping.
     */
    static Path executable() {
        return installed(EXECUTABLE);
    }

    private static Path installed(Path file) {
        if (!Files.isExecutable(file)) {
            fail(file + " is missing: the real-core tests need the v2fly core"
                    + " (apt-get install -y --no-install-recommends v2ray)");
        }
        return file;
    }

    /**
     * A loopback port nothing listens on now, and never one this JVM handed out before. The OS readily gives
     * the same port to two binds to port 0 in a row (of 33 picks, one run in ten got a port twice), and v2ray
     * listens with SO_REUSEPORT: two inbounds given one port both start and the kernel splits the connections
     * between them, so a route's traffic lands on another route's listener, or on the client instead of the
     * core. Not XrayBackend's own helper: the end-to-end tests use these fixtures without the plugin's classes.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no loopback port left that this JVM has not handed out");
    }

    /**
     * The v2ray processes this JVM started that run in the given directory, as an operator would find the
     * node's core: a v2ray child of the node's process, in the backend's work directory.
     */
    static List<ProcessHandle> runningIn(Path workDirectory) {
        Path wanted = realPath(workDirectory);
        return ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.equals(EXECUTABLE.toString())).orElse(false))
                .filter(p -> wanted.equals(workingDirectory(p)))
                .toList();
    }

    private static Path workingDirectory(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", String.valueOf(process.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException gone) {
            return null; // exited meanwhile
        }
    }

    private static Path realPath(Path directory) {
        try {
            return directory.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The live counters of a running core whose names contain {@code pattern}, read with {@code v2ctl api}
     * straight from its API (as an operator would, bypassing the node). A counter at zero reads 0.
     */
    static Map<String, Long> counters(int apiPort, String pattern) {
        Process process;
        try {
            process = new ProcessBuilder(installed(CTL).toString(), "api", "--server=127.0.0.1:" + apiPort,
                    "StatsService.QueryStats", "pattern: \"" + pattern + "\" reset: false")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (InputStream out = process.getInputStream()) {
            String text = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("v2ctl failed: " + text);
            }
            Map<String, Long> counters = new HashMap<>();
            Matcher m = STAT.matcher(text);
            while (m.find()) {
                counters.put(m.group(1), m.group(2) == null ? 0L : Long.parseLong(m.group(2)));
            }
            return counters;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroyForcibly();
        }
    }
}
