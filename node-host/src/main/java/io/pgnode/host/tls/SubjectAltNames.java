package io.pgnode.host.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
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

    // a DNS name of letters, digits and inner dashes per label; a wildcard only as the whole first label
    private static final Pattern HOST_NAME = Pattern.compile(
            "(\\*\\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*");

    /** localhost, 127.0.0.1, ::1, the host name, every non-loopback interface address, then the extras. */
    static List<String> ofThisMachine(List<String> extras) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        hostName().ifPresent(names::add);
        names.addAll(MachineAddresses.nonLoopback());
        names.addAll(extras);
        return distinct(names);
    }

    /** Whether a name can be a subjectAltName: an IP address or a DNS host name (a leading {@code *.} allowed). */
    static boolean isValid(String name) {
        return IPAddress.isValid(name) || (name.length() <= 253 && HOST_NAME.matcher(name).matches());
    }

    /** The DNS names and IP addresses a certificate is valid for, in its order. */
    static List<String> of(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> entries = certificate.getSubjectAlternativeNames();
            for (List<?> entry : entries == null ? List.<List<?>>of() : entries) {
                int type = (Integer) entry.get(0);
                if (type == GeneralName.dNSName) {
                    names.add((String) entry.get(1));
                } else if (type == GeneralName.iPAddress) {
                    // the JDK writes IPv6 in full (0:0:0:0:0:0:0:1); show it as configured (::1)
                    names.add(MachineAddresses.text(InetAddress.getByName((String) entry.get(1))));
                }
            }
        } catch (CertificateParsingException | UnknownHostException e) {
            log.warn("Cannot read the names of the certificate: {}", e.getMessage());
        }
        return distinct(names);
    }

    /** The names without repeats, in order; an address written two ways ({@code ::1}, {@code 0:0:0:0:0:0:0:1}) is one. */
    static List<String> distinct(List<String> names) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String name : names) {
            byKey.putIfAbsent(key(name), name);
        }
        return List.copyOf(byKey.values());
    }

    /** Whether a name or address is among the names (an address may be written differently there). */
    static boolean covers(List<String> names, String name) {
        String wanted = key(name);
        return names.stream().anyMatch(candidate -> key(candidate).equals(wanted));
    }

    private static String key(String name) {
        if (IPAddress.isValid(name)) {
            try {
                return InetAddress.getByName(name).getHostAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                return name;
            }
        }
        return name.toLowerCase(Locale.ROOT);
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
}
