package io.pgnode.spi;

/**
 * Receives the log lines of a running core, one line at a time without the trailing newline. The host's
 * implementation never blocks: when readers fall behind they lose the oldest lines, not the core.
 */
@FunctionalInterface
public interface LogSink {

    /** Publishes one log line. Safe to call from any thread. */
    void accept(String line);
}
