package io.pgnode.dist;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built tarball unpacked as an operator unpacks it ({@code tar xzf}), and its {@code bin/pg-node} started
 * the way an operator starts it: in a working directory of its own, with a clean environment holding only
 * {@code PATH} (this JVM's {@code java} first, then the system's, where {@code v2ray} is) and the settings a
 * test passes.
 */
final class TestingDistribution {

    static final String VERSION = System.getProperty("pgnode.version", "1.0.0");
    static final Path TARBALL = Path.of(System.getProperty("pgnode.distribution", "target/pg-node-" + VERSION + ".tar.gz"));

    private final Path home;

    private TestingDistribution(Path home) {
        this.home = requireNonNull(home, "home is null");
    }

    /** Unpacks the tarball into the directory; the installation is {@code <directory>/pg-node-<version>}. */
    static TestingDistribution unpack(Path directory) {
        assertThat(TARBALL).as("built by the package phase").isRegularFile();
        TestingNodeProcess.Result tar = TestingNodeProcess.run(
                List.of("tar", "-xzf", TARBALL.toAbsolutePath().toString(), "-C", directory.toString()),
                directory, Map.of(), Duration.ofSeconds(30));
        assertThat(tar.exitCode()).as("tar: %s", tar.stderr()).isZero();
        return new TestingDistribution(directory.resolve("pg-node-" + VERSION));
    }

    Path home() {
        return home;
    }

    Path launcher() {
        return home.resolve("bin/pg-node");
    }

    Path plugins() {
        return home.resolve("plugins");
    }

    /**
     * Starts {@code bin/pg-node args...} in the working directory with only these settings. SIGINT is reset to
     * its default first: a build started in the background without job control (some CI runners) ignores it,
     * the node would inherit that, and an operator's Ctrl-C is what the tests mean to send.
     */
    TestingNodeProcess start(Path workingDirectory, Map<String, String> settings, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(command(args));
        return TestingNodeProcess.start(command, workingDirectory, environment(settings));
    }

    /** Runs a command that ends by itself ({@code version}, {@code plugins}, {@code cert}) and returns its output. */
    TestingNodeProcess.Result run(Path workingDirectory, Map<String, String> settings, String... args) {
        return TestingNodeProcess.run(command(args), workingDirectory, environment(settings), Duration.ofSeconds(60));
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** PATH and the given variables, nothing else: no setting of the build machine leaks into the node. */
    static Map<String, String> environment(Map<String, String> settings) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        environment.putAll(settings);
        return environment;
    }

    /** The real v2fly core the Xray backend finds on PATH. A missing core fails the test, in CI and elsewhere. */
    static void requireV2ray() {
        assertThat(Path.of("/usr/bin/v2ray")).as("the real-core tests need the v2fly core "
                + "(apt-get install -y --no-install-recommends v2ray)").isExecutable();
    }

    /** A port that is free on every address right now (the node listens on 0.0.0.0). */
    /**
     * A port nothing listens on now, never one this JVM handed out before: the OS readily gives the same port to
     * two binds to port 0 in a row, and v2ray listens with SO_REUSEPORT, so two listeners given one port would
     * share its connections instead of one failing to start.
     */
    static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no port left that this JVM has not handed out");
    }

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** GRPC_PORT and REST_PORT on free ports: the only settings the "as shipped" runs get. */
    static Map<String, String> freePorts() {
        return Map.of("GRPC_PORT", String.valueOf(freePort()), "REST_PORT", String.valueOf(freePort()));
    }

    static Path createDirectory(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
