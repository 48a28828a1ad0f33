package io.pgnode.plugin.wireguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a test's own commands (namespaces, veth pairs, the client peers' tools) to completion, bounded in time. */
final class Shell {

    private Shell() {}

    /**
     * How one command ended.
     *
     * @param exitCode its exit code
     * @param output stdout and stderr together
     */
    record Result(int exitCode, String output) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** Runs the command; at most 60 s. */
    static Result run(String... command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), output.strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Runs the command and fails the test unless it exits 0; returns its output. */
    static String ok(String... command) {
        Result result = run(command);
        if (!result.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.exitCode() + "): "
                    + result.output());
        }
        return result.output();
    }

    static String ok(List<String> command) {
        return ok(command.toArray(String[]::new));
    }
}
