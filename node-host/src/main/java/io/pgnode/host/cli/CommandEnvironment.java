package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.config.PluginsDirectory;
import io.pgnode.host.config.SettingSources;
import io.pgnode.host.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a command runs with: the process environment and working directory (where settings are read from) and
 * the output streams. Injected so that tests run commands without touching the real process.
 *
 * @param environment the process environment
 * @param workingDirectory where {@code .env} and {@code conf/node.yml} are looked for
 * @param out standard output
 * @param err standard error
 */
public record CommandEnvironment(Map<String, String> environment, Path workingDirectory, PrintStream out,
        PrintStream err) {

    public CommandEnvironment {
        environment = Map.copyOf(environment);
        requireNonNull(workingDirectory, "workingDirectory is null");
        requireNonNull(out, "out is null");
        requireNonNull(err, "err is null");
    }

    /** The node's settings, read exactly as {@code pg-node run} reads them. */
    Settings settings(Optional<Path> configFile) {
        SettingSources sources = SettingSources.load(environment, workingDirectory, configFile);
        return Settings.from(sources, PluginsDirectory.defaultFor(sources.workingDirectory()));
    }

    /**
     * For the commands that print a report (not {@code run}): log lines would garble it, so only errors are
     * logged, to stderr. Must run before the first logger is created; {@code -Dpgnode.log.level} still wins.
     */
    static void quietLogs() {
        if (System.getProperty("pgnode.log.level") == null) {
            System.setProperty("pgnode.log.level", "ERROR");
        }
        if (System.getProperty("pgnode.log.target") == null) {
            System.setProperty("pgnode.log.target", "System.err");
        }
    }
}
