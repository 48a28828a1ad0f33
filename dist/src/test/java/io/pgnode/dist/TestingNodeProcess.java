package io.pgnode.dist;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A process of the test (the node, or a command) whose stdout and stderr are read line by line as they come, so
 * that a test awaits a printed line or the exit instead of sleeping. {@link #close()} kills whatever is still
 * running, the process's own children included.
 */
final class TestingNodeProcess implements AutoCloseable {

    /**
     * A finished command.
     *
     * @param pid the process id it ran as
     * @param exitCode its exit code
     * @param stdout what it printed, line by line
     * @param stderr what it printed on stderr
     */
    record Result(long pid, int exitCode, List<String> stdout, List<String> stderr) {}

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    // every descendant ever seen: one that outlives its parent (orphaned) is still killed on close
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    private TestingNodeProcess(Process process) {
        this.process = process;
        this.stdoutReader = reader(process.getInputStream(), stdout, "stdout");
        this.stderrReader = reader(process.getErrorStream(), stderr, "stderr");
    }

    static TestingNodeProcess start(List<String> command, Path workingDirectory, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))); // no terminal, as a service
        try {
            return new TestingNodeProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the command to its end (at most {@code timeout}) and returns what it printed. */
    static Result run(List<String> command, Path workingDirectory, Map<String, String> environment, Duration timeout) {
        try (TestingNodeProcess process = start(command, workingDirectory, environment)) {
            int exitCode = process.awaitExit(timeout);
            return new Result(process.pid(), exitCode, process.stdout(), process.stderr());
        }
    }

    long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    List<String> stdout() {
        return List.copyOf(stdout);
    }

    List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** The first stdout line matching the pattern, awaited; fails at once when the process ends without it. */
    String awaitLine(Pattern pattern, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(
                    () -> line(pattern).isPresent() || !process.isAlive());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no line matching " + pattern + " within " + timeout + "; " + output(), e);
        }
        process.descendants().forEach(seen::add);
        return line(pattern).orElseThrow(() -> new AssertionError(
                "the process ended (exit " + process.exitValue() + ") without a line matching " + pattern + "; "
                        + output()));
    }

    /** Waits for the exit and for the last lines of its output; returns the exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("still running after " + timeout + "; " + output());
            }
            stdoutReader.join(timeout.toMillis());
            stderrReader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return process.exitValue();
    }

    /** Sends a signal by name (TERM, INT) as an operator's {@code kill} does. */
    void signal(String name) {
        process.descendants().forEach(seen::add);
        try {
            // the shell's own kill: no procps needed
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -" + name + " " + pid()).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new AssertionError("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The process's live descendants whose executable is the given one (e.g. the core it started). */
    List<ProcessHandle> descendants(String executableName) {
        List<ProcessHandle> descendants = process.descendants().toList();
        seen.addAll(descendants);
        return descendants.stream()
                .filter(p -> p.info().command().map(c -> Path.of(c).getFileName().toString().equals(executableName))
                        .orElse(false))
                .toList();
    }

    String output() {
        return "stdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr);
    }

    @Override
    public void close() {
        process.descendants().forEach(seen::add);
        process.destroyForcibly();
        seen.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<String> line(Pattern pattern) {
        return stdout.stream().filter(line -> pattern.matcher(line).matches()).findFirst();
    }

    private static Thread reader(InputStream stream, List<String> lines, String name) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process is gone; what was read stays
            }
        }, "pg-node-" + name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
