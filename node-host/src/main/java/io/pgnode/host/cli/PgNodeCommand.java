package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.NodeVersion;
import io.pgnode.host.error.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * {@code pg-node}: without a command it runs the node, like {@code pg-node run}. Every command answers
 * {@code --help}. Exit codes: 0 done, 1 failed (one line on stderr says why), 2 the command line is wrong.
 */
@Command(name = "pg-node",
        mixinStandardHelpOptions = true,
        versionProvider = PgNodeCommand.Version.class,
        description = {
            "A PasarGuard node: serves the panel over REST and gRPC (both TLS) and runs proxy cores through "
                    + "backend plugins.",
            "Without a command it runs the node (pg-node run)."
        },
        footerHeading = "%nSettings:%n",
        footer = {
            "Read from the environment, then .env in the working directory, then the YAML file (--config, "
                    + "else conf/node.yml in the working directory). See conf/node.yml of the installation for "
                    + "every setting."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done (run: stopped by SIGTERM or SIGINT)",
            "1:failed; one line on stderr says why",
            "2:wrong command line"
        })
public final class PgNodeCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "YAML settings file (default: conf/node.yml in the working directory, if it exists)")
    private Path configFile;

    private final CommandEnvironment environment;

    private PgNodeCommand(CommandEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    /** The whole command line, writing to the environment's streams. */
    public static CommandLine commandLine(CommandEnvironment environment) {
        CommandLine commandLine = new CommandLine(new PgNodeCommand(environment))
                .addSubcommand(new RunCommand(environment))
                .addSubcommand(new VersionCommand(environment))
                .addSubcommand(new PluginsCommand(environment))
                .addSubcommand(new CertCommand(environment))
                .setOut(new PrintWriter(environment.out(), true))
                .setErr(new PrintWriter(environment.err(), true))
                .setParameterExceptionHandler(PgNodeCommand::usageError)
                .setExecutionExceptionHandler(PgNodeCommand::failure);
        commandLine.setUsageHelpWidth(100);
        return commandLine;
    }

    @Override
    public Integer call() {
        return RunCommand.run(environment, configFile());
    }

    /** The YAML file given with {@code --config}, on this command or a subcommand. */
    Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("pg-node: " + e.getMessage());
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
        return 2;
    }

    private static int failure(Exception e, CommandLine command, ParseResult parseResult) {
        String name = command.getCommandSpec().name();
        String prefix = name.equals("pg-node") || name.equals("run") ? "pg-node cannot start: " : "pg-node " + name + ": ";
        PrintWriter err = command.getErr();
        if (e instanceof StartupException) {
            err.println(prefix + e.getMessage().replace('\n', ' '));
        } else {
            LoggerFactory.getLogger(PgNodeCommand.class).error("{}an unexpected error", prefix, e);
            err.println(prefix + "an unexpected error (" + e + "); the log has the details");
        }
        return 1;
    }

    /** {@code pg-node --version}: the same plain version as {@code pg-node version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {NodeVersion.current()};
        }
    }
}
