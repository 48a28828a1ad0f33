package io.pgnode.host.tls;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The addresses of this machine that a panel may use to reach it. */
public final class MachineAddresses {

    private static final Logger log = LoggerFactory.getLogger(MachineAddresses.class);

    // documentation networks (TEST-NET-3, RFC 5737; RFC 3849): routed like the internet, never answered
    private static final List<String> OUTSIDE = List.of("203.0.113.1", "2001:db8::1");

    private MachineAddresses() {}

    /** Every address of every interface but the loopback ones, in the system's order, without zone ids. */
    public static List<String> nonLoopback() {
        List<String> addresses = new ArrayList<>();
        try {
            for (NetworkInterface networkInterface : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (networkInterface.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(networkInterface.getInetAddresses())) {
                    addresses.add(text(address));
                }
            }
        } catch (SocketException e) {
            log.warn("Cannot list the network interfaces: {}", e.getMessage());
        }
        return addresses;
    }

    /**
     * The address this machine's traffic to the outside leaves from (the default route's source: what a
     * panel elsewhere most likely reaches), else the first non-loopback, non-link-local address, else
     * {@code 127.0.0.1}. Behind NAT the panel needs the public address instead, which no machine can tell.
     */
    public static String primary() {
        for (String outside : OUTSIDE) {
            Optional<String> source = sourceAddressTowards(outside);
            if (source.isPresent()) {
                return source.get();
            }
        }
        return nonLoopback().stream()
                .filter(address -> !address.startsWith("fe80:") && !address.startsWith("169.254."))
                .findFirst()
                .orElse("127.0.0.1");
    }

    // Connecting a UDP socket sends nothing; it only asks the kernel which route and source address it would use.
    private static Optional<String> sourceAddressTowards(String outside) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(InetAddress.getByName(outside), 9);
            InetAddress local = socket.getLocalAddress();
            if (local.isAnyLocalAddress() || local.isLoopbackAddress() || local.isLinkLocalAddress()) {
                return Optional.empty();
            }
            return Optional.of(text(local));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty(); // no route to the outside
        }
    }

    /** The address as people write it (IPv6 compressed, RFC 5952), without a zone id ({@code %eth0}). */
    static String text(InetAddress address) {
        return NetUtil.toAddressString(address, false);
    }
}
