package io.pgnode.host.cli;

import static java.util.Objects.requireNonNull;

import io.pgnode.host.config.DataDirectory;
import io.pgnode.host.config.Settings;
import io.pgnode.host.error.StartupException;
import io.pgnode.host.tls.NodeTls;
import io.pgnode.host.tls.TlsSetup;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code pg-node cert [--renew] [--san NAME]...}: the certificate the panel pins, generated on first use, and
 * its renewal. Touches only the certificate and key in the data directory, never the API key.
 */
@Command(name = "cert",
        mixinStandardHelpOptions = true,
        description = {
            "Prints what the panel needs to trust the node: the certificate's file, SHA-256 fingerprint, names "
                    + "and PEM (the PEM last, so `pg-node cert > node.pem` gives a usable file). Generates the "
                    + "node's self-signed certificate when there is none yet.",
            "A running node serves a renewed certificate after its next start; give the panel the new PEM then."
        })
final class CertCommand implements Callable<Integer> {

    @Option(names = "--renew",
            description = "Replace the generated certificate and key by new ones, valid for every name of the "
                    + "current certificate, this machine's names and addresses, TLS_SAN and --san. The API key "
                    + "stays.")
    private boolean renew;

    @Option(names = "--san", paramLabel = "NAME",
            description = "A host name or IP address the certificate must be valid for (repeatable). Needs "
                    + "--renew once a certificate exists; a renewal keeps it.")
    private List<String> sans = new ArrayList<>();

    @Spec
    private CommandSpec spec;

    @ParentCommand
    private PgNodeCommand parent;

    private final CommandEnvironment environment;

    CertCommand(CommandEnvironment environment) {
        this.environment = requireNonNull(environment, "environment is null");
    }

    @Override
    public Integer call() {
        CommandEnvironment.quietLogs();
        Settings settings = environment.settings(parent.configFile());
        try {
            TlsSetup.checkNames(sans);
        } catch (StartupException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (settings.sslCertFile().isPresent()) {
            if (renew || !sans.isEmpty()) {
                throw new StartupException("The node serves " + Settings.SSL_CERT_FILE + " "
                        + settings.sslCertFile().get() + ", not a certificate of its own: renew that one where it "
                        + "was issued, or unset " + Settings.SSL_CERT_FILE + " and " + Settings.SSL_KEY_FILE
                        + " to let the node generate one");
            }
            print(TlsSetup.prepare(settings.sslCertFile(), settings.sslKeyFile(), settings.dataDir(), List.of()));
            return 0;
        }
        Path dataDir = DataDirectory.prepare(settings.dataDir());
        List<String> extras = new ArrayList<>(settings.tlsSans());
        extras.addAll(sans);
        NodeTls tls = renew ? TlsSetup.renew(dataDir, extras)
                : TlsSetup.prepare(Optional.empty(), Optional.empty(), dataDir, extras);
        List<String> uncovered = sans.stream()
                .filter(name -> !TlsSetup.isValidFor(tls.material().certificate(), name))
                .toList();
        if (!uncovered.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the certificate " + tls.certificateFile()
                    + " exists and is not valid for " + String.join(", ", uncovered)
                    + "; add --renew to replace it by one that is");
        }
        print(tls);
        return 0;
    }

    private void print(NodeTls tls) {
        PrintStream out = environment.out();
        out.println("certificate " + tls.certificateFile().toAbsolutePath() + " (" + switch (tls.source()) {
            case CONFIGURED -> "from " + Settings.SSL_CERT_FILE;
            case STORED -> "generated earlier";
            case GENERATED -> renew ? "renewed now; the node serves it after its next start" : "generated now";
        } + ")");
        out.println("SHA-256 " + tls.material().sha256Fingerprint());
        out.println("valid until " + tls.material().certificate().getNotAfter().toInstant());
        out.println("valid for " + String.join(", ", TlsSetup.namesOf(tls.material().certificate())));
        out.print(tls.material().chainPem());
        out.flush();
    }
}
