package io.pgnode.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgnode.plugin.xray.RenderedConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The core by itself: started as an operator would start it by hand with a config file on its stdin, timed from
 * the spawn until its API answers. What the node's Start is compared with.
 */
final class CoreAlone implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final double secondsToApi;

    private CoreAlone(Process process, double secondsToApi) {
        this.process = process;
        this.secondsToApi = secondsToApi;
    }

    /**
     * Starts {@code core -config stdin:} with the file on stdin and polls its API (a fresh channel every 10 ms:
     * a channel that failed to connect would back off for a second) until GetSysStats answers.
     */
    static CoreAlone start(Path core, Path config, Path log, Duration limit) {
        int apiPort = apiPort(config);
        long began = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(core.toString(), "-config", "stdin:")
                    .redirectInput(config.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = began + limit.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the core exited with " + process.exitValue() + " while starting; see " + log);
            }
            try (DirectCoreApi api = new DirectCoreApi(apiPort, DirectCoreApi.V2FLY)) {
                api.sysStats(Duration.ofSeconds(1));
                return new CoreAlone(process, (System.nanoTime() - began) / 1e9);
            } catch (RuntimeException notYet) {
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("the core's API did not answer within " + limit + "; see " + log);
                }
            }
            pause(10);
        }
    }

    /** The port of the node's API inbound in a config file the node rendered. */
    static int apiPort(Path config) {
        try {
            return RenderedConfig.apiPort(JSON.readTree(config.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    double secondsToApi() {
        return secondsToApi;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Processes.stop(process, Duration.ofSeconds(10));
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
