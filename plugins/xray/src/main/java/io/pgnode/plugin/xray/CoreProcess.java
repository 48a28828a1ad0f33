package io.pgnode.plugin.xray;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.LogSink;
import java.io.BufferedReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the core as a child process: spawned with its config on stdin, its stdout and stderr lines
 * pumped into the log sink (the last few are kept for error messages), stopped with TERM and then KILL.
 */
final class CoreProcess {

    private static final Logger log = LoggerFactory.getLogger(CoreProcess.class);
    private static final int KEPT_LINES = 30;

    /** Writes the core's config; called once, on the spawning thread, with the core's stdin. */
    @FunctionalInterface
    interface ConfigWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private final Process process;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final List<Thread> pumps = new ArrayList<>();

    private CoreProcess(Process process) {
        this.process = process;
    }

    /**
     * Spawns the core and writes its config to its stdin, then closes stdin (the core reads to EOF).
     *
     * @param command the executable and its arguments
     * @param environment variables added to the node's own environment
     * @param workDirectory the core's working directory (relative paths in the config resolve there)
     * @throws IOException when the process cannot be spawned; a core that dies while reading its config is
     *     not an exception here: callers see it exit and read {@link #lastLines()}
     */
    static CoreProcess start(List<String> command, Map<String, String> environment, Path workDirectory,
            ConfigWriter config, LogSink logSink) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile());
        builder.environment().putAll(environment);
        CoreProcess core = new CoreProcess(builder.start());
        core.pump(core.process.getInputStream(), "stdout", requireNonNull(logSink, "logSink is null"));
        core.pump(core.process.getErrorStream(), "stderr", logSink);
        try (OutputStream stdin = new BufferedOutputStream(core.process.getOutputStream(), 1 << 16)) {
            config.writeTo(stdin);
        } catch (IOException e) {
            // a core that exits early closes the pipe; its own words (in lastLines) say why
            log.debug("core {} closed its stdin early: {}", core.pid(), e.toString());
        }
        return core;
    }

    private void pump(InputStream stream, String name, LogSink logSink) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    synchronized (lastLines) {
                        if (lastLines.size() == KEPT_LINES) {
                            lastLines.removeFirst();
                        }
                        lastLines.addLast(line);
                    }
                    logSink.accept(line);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("stopped reading the core's {}: {}", name, e.toString());
            }
        }, "xray-core-" + process.pid() + "-" + name);
        thread.setDaemon(true);
        thread.start();
        pumps.add(thread);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Completes when the process has exited. */
    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    /** The exit code; only meaningful once {@link #isAlive()} is false. */
    int exitCode() {
        return process.exitValue();
    }

    /**
     * The last lines the core printed, oldest first. Once the process has exited this waits briefly for
     * the pumps to drain, so that the core's last words are not lost to a race.
     */
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

    /**
     * Stops the core: TERM, then KILL if it has not exited within {@code grace} (zero: KILL at once, for a core
     * that no longer answers and cannot act on TERM, e.g. a stopped one); descendants too. Idempotent.
     */
    void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (grace.isZero()) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                if (!grace.isZero()) {
                    log.warn("core {} did not stop within {} ms of TERM; killing it", pid(), grace.toMillis());
                }
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }
}
