package io.pgnode.host;

import io.pgnode.host.config.PluginsDirectory;
import io.pgnode.host.config.SettingSources;
import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pg-node [run] [--config PATH]}: boots the node and serves until the process is stopped. A start
 * that cannot succeed ends with one line on stderr and exit code 1.
 */
public final class Main {

    static final String USAGE = "usage: pg-node [run] [--config PATH]";

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        int exitCode = run(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** Boots and serves until the JVM shuts down; returns the exit code when the node cannot start. */
    static int run(String[] args, Map<String, String> environment, Path workingDirectory, PrintStream out,
            PrintStream err) {
        NodeHost host;
        try {
            host = boot(args, environment, workingDirectory, out);
        } catch (UsageException e) {
            (e.exitCode == 0 ? out : err).println(e.getMessage());
            return e.exitCode;
        } catch (StartupException e) {
            err.println("pg-node cannot start: " + e.getMessage().replace('\n', ' '));
            return 1;
        } catch (RuntimeException e) {
            log.error("pg-node cannot start", e);
            err.println("pg-node cannot start: an unexpected error (" + e + "); the log above has the details");
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(host::close, "pg-node-shutdown"));
        try {
            host.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.close();
        }
        return 0;
    }

    /** Reads the command line and the settings, then starts the node. */
    static NodeHost boot(String[] args, Map<String, String> environment, Path workingDirectory, PrintStream out) {
        Optional<Path> configFile = configFile(List.of(args));
        SettingSources sources = SettingSources.load(environment, workingDirectory, configFile);
        Settings settings = Settings.from(sources, PluginsDirectory.defaultFor(sources.workingDirectory()));
        return NodeHost.start(settings, out);
    }

    private static Optional<Path> configFile(List<String> args) {
        Optional<Path> configFile = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("run") && i == 0) {
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new UsageException(USAGE, 0);
            }
            if (arg.equals("--config") && i + 1 < args.size()) {
                configFile = Optional.of(Path.of(args.get(++i)));
            } else if (arg.startsWith("--config=")) {
                configFile = Optional.of(Path.of(arg.substring("--config=".length())));
            } else {
                throw new UsageException("pg-node: unexpected argument '" + arg + "'\n" + USAGE, 2);
            }
        }
        return configFile;
    }

    private static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        UsageException(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
