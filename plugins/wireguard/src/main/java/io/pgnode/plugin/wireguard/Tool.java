package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One external program the backend runs to completion ({@code wg}, {@code ip}, {@code curl}): its exit code, its
 * output and its own words on stderr. Arguments never hold a secret (keys go through files), so they may appear in
 * messages; the output may ({@code wg show dump} prints the private key), so it never does.
 */
final class Tool {

    private static final File NO_INPUT = new File("/dev/null");

    private final Path executable;
    private final String name;
    private final Duration timeout;
    private final Map<String, String> environment;

    /**
     * @param name what the operator calls it, for messages ("wg")
     * @param timeout how long one run may take before it is killed
     * @param environment variables added to the node's own
     */
    Tool(Path executable, String name, Duration timeout, Map<String, String> environment) {
        this.executable = requireNonNull(executable, "executable is null");
        this.name = requireNonNull(name, "name is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.environment = Map.copyOf(environment);
    }

    /**
     * How one run ended.
     *
     * @param exitCode the program's exit code
     * @param stdout everything it printed on stdout
     * @param stderr everything it printed on stderr, stripped
     */
    record Result(int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }

        /** The program's own words about a failure: its stderr, or its exit code when it said nothing. */
        String words() {
            return stderr.isEmpty() ? "exit code " + exitCode : stderr.replace('\n', ' ');
        }
    }

    Path executable() {
        return executable;
    }

    String name() {
        return name;
    }

    /**
     * Runs the program with these arguments and waits for it.
     *
     * @throws BackendException {@code FAILURE} when it cannot be started or does not finish in time
     */
    Result run(List<String> arguments) {
        List<String> command = new ArrayList<>(arguments.size() + 1);
        command.add(executable.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(NO_INPUT));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot run " + name + " (" + executable + "): "
                    + e.getMessage(), e);
        }
        try {
            // stderr on its own thread: a program that fills one pipe while we read the other would hang
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()),
                    runnable -> daemon(runnable, process.pid()).start());
            String stdout = read(process.getInputStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw timedOut(arguments);
            }
            return new Result(process.exitValue(), stdout, stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS).strip());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.FAILURE, "interrupted while " + name + " ran", e);
        } catch (TimeoutException e) {
            throw timedOut(arguments);
        } catch (ExecutionException | UncheckedIOException e) {
            throw new BackendException(BackendException.Kind.FAILURE, "cannot read what " + name + " printed: "
                    + e.getMessage(), e);
        } finally {
            process.destroyForcibly();
        }
    }

    /**
     * Runs the program and fails unless it exits 0.
     *
     * @param what what the run was for, e.g. "set the interface's addresses"
     * @return what it printed on stdout
     * @throws BackendException {@code FAILURE}: "could not WHAT: ARGUMENTS said: WORDS"
     */
    String runOrFail(String what, List<String> arguments) {
        Result result = run(arguments);
        if (!result.succeeded()) {
            throw new BackendException(BackendException.Kind.FAILURE, "could not " + what + ": `" + name + " "
                    + String.join(" ", arguments) + "` said: " + result.words());
        }
        return result.stdout();
    }

    private BackendException timedOut(List<String> arguments) {
        return new BackendException(BackendException.Kind.FAILURE, "`" + name + " " + String.join(" ", arguments)
                + "` did not finish within " + timeout.toSeconds() + " s");
    }

    private static String read(InputStream stream) {
        try (InputStream in = stream) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Thread daemon(Runnable runnable, long pid) {
        Thread thread = new Thread(runnable, name + "-" + pid + "-stderr");
        thread.setDaemon(true);
        return thread;
    }
}
