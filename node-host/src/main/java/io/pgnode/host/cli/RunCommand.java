package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.NodeHost;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pg-node run}: boots the node and serves until SIGTERM or SIGINT, which stop it in order (listeners,
 * backend and its core process, plugins) and end the process with exit code 0.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the node (the default command): prints one line saying what to enter in the panel, then serves "
                    + "until SIGTERM or SIGINT, which stop the backend and its core and exit with 0.",
            "The first run creates the data directory (DATA_DIR, default ./data) with the API key and a "
                    + "self-signed certificate; later runs reuse both."
        })
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    private PgNodeCommand parent;

    private final CommandEnvironment environment;

    RunCommand(CommandEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public Integer call() {
        return run(environment, parent.configFile());
    }

    static int run(CommandEnvironment environment, Optional<Path> configFile) {
        NodeHost host = NodeHost.start(environment.settings(configFile), environment.out());
        // SIGHUP, System.exit from elsewhere: the hooks run, so the core is still stopped
        Runtime.getRuntime().addShutdownHook(new Thread(host::close, "pg-node-shutdown"));
        StopSignals.install(host::close);
        try {
            host.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.close();
        }
        return 0;
    }
}
