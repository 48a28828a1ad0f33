package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.NodeVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code pg-node version}: the node's plain version, as the panel sees it. */
@Command(name = "version",
        mixinStandardHelpOptions = true,
        description = "Prints the node's version (as the panel sees it, e.g. 1.0.0).")
final class VersionCommand implements Callable<Integer> {

    private final CommandEnvironment environment;

    VersionCommand(CommandEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public Integer call() {
        environment.out().println(NodeVersion.current());
        return 0;
    }
}
