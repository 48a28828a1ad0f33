package io.pgnode.host.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code pg-node} command (see {@link PgNodeCommand}). A command that cannot do its work ends with one line
 * on stderr and exit code 1; a wrong command line with exit code 2.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // exit explicitly: after `run` stopped, no stray non-daemon thread may keep the process alive
        System.exit(run(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err));
    }

    /** Runs the command line; returns the exit code (for {@code run}: once the node has stopped). */
    static int run(String[] args, Map<String, String> environment, Path workingDirectory, PrintStream out,
            PrintStream err) {
        return PgNodeCommand.commandLine(new CommandEnvironment(environment, workingDirectory, out, err))
                .execute(args);
    }
}
