package io.pgnode.host;

import io.pgnode.host.auth.ResolvedApiKey;
import io.pgnode.host.tls.MachineAddresses;
import java.nio.file.Path;
import java.util.Set;

/**
 * The one line a node prints on every start that tells the operator what to enter in the panel: address, ports,
 * API key (in full only on the run that generated it) and the certificate's PEM file.
 */
final class PanelLine {

    private static final Set<String> ANY_ADDRESS = Set.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0", "[::]", "*");

    private PanelLine() {}

    /** The address to give the panel: NODE_HOST when it is one address, else this machine's primary address. */
    static String address(String nodeHost) {
        return ANY_ADDRESS.contains(nodeHost) ? MachineAddresses.primary() : nodeHost;
    }

    /**
     * {@code panel: address 192.0.2.7, gRPC port 62050, REST port 62051, API key <key>, certificate <pem>}.
     *
     * @param grpcPort 0 when gRPC is off
     * @param restPort 0 when REST is off
     */
    static String of(String address, int grpcPort, int restPort, ResolvedApiKey apiKey, Path certificateFile) {
        return "panel: address " + address
                + ", gRPC " + (grpcPort == 0 ? "off" : "port " + grpcPort)
                + ", REST " + (restPort == 0 ? "off" : "port " + restPort)
                + ", API key " + apiKey.forOperator()
                + ", certificate " + certificateFile.toAbsolutePath();
    }
}
