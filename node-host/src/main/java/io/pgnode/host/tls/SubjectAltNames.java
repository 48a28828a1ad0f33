package io.pgnode.host.tls;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names a generated certificate is valid for: every way a panel may address this machine. The panel
 * checks the host name, and an IP address only matches an iPAddress entry (never a CN), so each address goes
 * in as one.
 */
final class SubjectAltNames {

    private static final Logger log = LoggerFactory.getLogger(SubjectAltNames.class);

    private SubjectAltNames() {}

    /** localhost, 127.0.0.1, ::1, the host name, every non-loopback interface address, then the extras. */
    static List<String> ofThisMachine(List<String> extras) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        hostName().ifPresent(names::add);
        names.addAll(interfaceAddresses());
        names.addAll(extras);
        return List.copyOf(names);
    }

    /** IP literals as iPAddress entries, everything else as dNSName entries. */
    static GeneralNames toGeneralNames(List<String> names) {
        return new GeneralNames(names.stream()
                .map(name -> IPAddress.isValid(name)
                        ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name))
                .toArray(GeneralName[]::new));
    }

    private static Optional<String> hostName() {
        try {
            return Optional.of(InetAddress.getLocalHost().getHostName())
                    .filter(name -> !IPAddress.isValid(name));
        } catch (UnknownHostException e) {
            log.debug("The host name cannot be resolved; leaving it out of the certificate", e);
            return Optional.empty();
        }
    }

    private static List<String> interfaceAddresses() {
        List<String> addresses = new ArrayList<>();
        try {
            for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (networkInterface.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
                    String text = address.getHostAddress();
                    int zone = text.indexOf('%'); // fe80::1%eth0: the zone is not part of the address
                    addresses.add(zone >= 0 ? text.substring(0, zone) : text);
                }
            }
        } catch (SocketException e) {
            log.warn("Cannot list the network interfaces; the certificate covers only localhost and TLS_SAN: {}",
                    e.getMessage());
        }
        return addresses;
    }
}
