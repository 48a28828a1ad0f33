package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.LogSink;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of {@code wireguard-go -f IFACE}: the userspace daemon in the foreground, as the node's child, so that the
 * node owns its process id and its output goes to the log sink. The daemon creates the interface, serves
 * {@code wg} on {@code /var/run/wireguard/IFACE.sock}, and removes both when it ends.
 */
final class WireguardGoProcess {

    /** Where wireguard-go and wg meet; both have it compiled in. */
    static final Path SOCKET_DIRECTORY = Path.of("/var/run/wireguard");

    private static final Logger log = LoggerFactory.getLogger(WireguardGoProcess.class);
    private static final int KEPT_LINES = 20;

    private final Process process;
    private final String iface;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final List<Thread> pumps = new ArrayList<>();

    private WireguardGoProcess(Process process, String iface) {
        this.process = process;
        this.iface = iface;
    }

    /** The daemon's control socket for this interface. */
    static Path socket(String iface) {
        return SOCKET_DIRECTORY.resolve(iface + ".sock");
    }

    /**
     * Spawns the daemon.
     *
     * @param logLevel wireguard-go's LOG_LEVEL: verbose, error or silent
     * @throws BackendException {@code FAILURE} when it cannot be spawned
     */
    static WireguardGoProcess start(Path executable, String iface, String logLevel, Path workDirectory, LogSink sink) {
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "-f", iface)
                .directory(workDirectory.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("LOG_LEVEL", logLevel);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot start wireguard-go (" + executable + "): "
                    + e.getMessage() + "; check " + WireguardSettings.GO_PATH, e);
        }
        WireguardGoProcess daemon = new WireguardGoProcess(process, iface);
        daemon.pump(process.getInputStream(), "stdout", requireNonNull(sink, "sink is null"));
        daemon.pump(process.getErrorStream(), "stderr", sink);
        return daemon;
    }

    private void pump(InputStream stream, String name, LogSink sink) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    synchronized (lastLines) {
                        if (lastLines.size() == KEPT_LINES) {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                    sink.accept(line);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("stopped reading wireguard-go's {}: {}", name, e.toString());
            }
        }, "wireguard-go-" + process.pid() + "-" + name);
        thread.setDaemon(true);
        thread.start();
        pumps.add(thread);
    }

    /**
     * Waits until the daemon serves its control socket, i.e. until {@code wg set} can reach it (a {@code wg set}
     * before that fails).
     *
     * @throws BackendException {@code FAILURE} with the daemon's last words when it exits or does not get there
     */
    void awaitSocket(Duration timeout) {
        Path socket = socket(iface);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        while (true) {
            if (!process.isAlive()) {
                throw new BackendException(BackendException.Kind.FAILURE, "wireguard-go exited with code "
                        + process.exitValue() + " while creating " + iface + diagnosis() + "; its last lines:"
                        + lastWords());
            }
            if (Files.exists(socket) && connects(socket)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new BackendException(BackendException.Kind.FAILURE, "wireguard-go did not open " + socket
                        + " within " + timeout.toSeconds() + " s; its last lines:" + lastWords());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.FAILURE, "interrupted while wireguard-go started", e);
            }
            pause = Math.min(100, pause * 2);
        }
    }

    private static boolean connects(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException notYet) {
            return false;
        }
    }

    /** What the usual failures mean, from the daemon's own words. */
    private String diagnosis() {
        String words = String.join("\n", lastLines());
        if (words.contains("operation not permitted")) {
            return " (the node lacks CAP_NET_ADMIN: grant it, e.g. AmbientCapabilities=CAP_NET_ADMIN in the systemd"
                    + " unit, see systemd/wireguard.conf)";
        }
        if (words.contains("/dev/net/tun")) {
            return " (/dev/net/tun is missing or not accessible: a container needs --device /dev/net/tun)";
        }
        if (words.contains("address already in use")) {
            return " (another wireguard-go already serves " + iface + ")";
        }
        return "";
    }

    long pid() {
        return process.pid();
    }

    /** When the process started, as the operating system recorded it. */
    Optional<Instant> startInstant() {
        return process.toHandle().info().startInstant();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    int exitCode() {
        return process.exitValue();
    }

    /** The last lines the daemon printed; once it exited, after its output was read to the end. */
    List<String> lastLines() {
        if (!process.isAlive()) {
            for (Thread pump : pumps) {
                try {
                    pump.join(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (lastLines) {
            return List.copyOf(lastLines);
        }
    }

    private String lastWords() {
        List<String> lines = lastLines().stream().filter(line -> !line.isBlank() && !isBanner(line)).toList();
        return lines.isEmpty() ? " (none)" : "\n" + String.join("\n", lines);
    }

    /** wireguard-go's boxed notice that a kernel module would do: not a reason for anything. */
    private static boolean isBanner(String line) {
        char first = line.strip().isEmpty() ? ' ' : line.strip().charAt(0);
        return first == '┌' || first == '│' || first == '└';
    }

    /** TERM, then KILL after {@code grace}; the daemon removes the interface and its socket as it ends. */
    void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("wireguard-go {} did not stop within {} ms of TERM; killing it", pid(), grace.toMillis());
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
