package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import java.io.IOException;
import java.math.BigInteger;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What must hold before the interface can be created, checked with sentences an operator can act on: the TUN
 * device, an interface name nobody else uses, a free UDP port (and a warning without the capability). Changes
 * nothing.
 */
final class Preflight {

    private static final Logger log = LoggerFactory.getLogger(Preflight.class);

    private static final int CAP_NET_ADMIN = 12;
    private static final Path TUN = Path.of("/dev/net/tun");
    private static final Path STATUS = Path.of("/proc/self/status");

    private final InterfaceConfig config;
    private final WireguardSettings.Mode mode;
    private final IpCommand ip;

    Preflight(InterfaceConfig config, WireguardSettings.Mode mode, IpCommand ip) {
        this.config = requireNonNull(config, "config is null");
        this.mode = requireNonNull(mode, "mode is null");
        this.ip = requireNonNull(ip, "ip is null");
    }

    /**
     * In userspace mode, the TUN device wireguard-go opens exists and the node may open it. Without CAP_NET_ADMIN
     * (which the tools inherit from the node) a warning only: tools that carry the capability themselves
     * ({@code setcap}, as in a container) still work, and when they do not, their own words say so at creation.
     */
    void checkPermissions() {
        if (!hasCapability(CAP_NET_ADMIN).orElse(true)) {
            log.warn("the node lacks CAP_NET_ADMIN: unless wireguard-go, wg and ip carry it themselves (setcap),"
                    + " creating the WireGuard interface fails; grant it (systemd: systemd/wireguard.conf,"
                    + " AmbientCapabilities=CAP_NET_ADMIN; docker: --cap-add NET_ADMIN)");
        }
        if (mode == WireguardSettings.Mode.USERSPACE) {
            if (!Files.exists(TUN)) {
                throw new BackendException(BackendException.Kind.FAILURE, TUN + " is missing: wireguard-go needs the"
                        + " TUN device (load the tun module; docker: --device /dev/net/tun)");
            }
            if (!Files.isReadable(TUN) || !Files.isWritable(TUN)) {
                throw new BackendException(BackendException.Kind.FAILURE, "the node may not open " + TUN
                        + ", which wireguard-go needs (systemd: DeviceAllow=/dev/net/tun rw if the unit restricts"
                        + " devices)");
            }
        }
    }

    /**
     * No interface of the config's name exists and its UDP port is free, except for what these records of the
     * node's own hold (the running backend's interface, while a new Start is checked).
     */
    void checkNameAndPort(List<InterfaceRecord> ours) {
        String iface = config.interfaceName();
        boolean nameIsOurs = ours.stream().anyMatch(r -> r.iface().equals(iface));
        if (!nameIsOurs && ip.exists(iface)) {
            throw new BackendException(BackendException.Kind.FAILURE, "a network interface named " + iface
                    + " exists and this node did not create it; choose another interface_name or remove it"
                    + " (ip link delete dev " + iface + ")");
        }
        int port = config.listenPort();
        boolean portIsOurs = ours.stream().anyMatch(r -> r.listenPort() == port);
        if (!portIsOurs && !udpPortFree(port)) {
            throw new BackendException(BackendException.Kind.FAILURE, "UDP port " + port + " is in use by another"
                    + " program; free it or choose another listen_port");
        }
    }

    /** Binds the port on the wildcard address for a moment: the address wireguard-go listens on. */
    static boolean udpPortFree(int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    /** Whether this process holds the capability; empty where that cannot be read (not Linux). */
    static Optional<Boolean> hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("CapEff:")) {
                    BigInteger effective = new BigInteger(line.substring("CapEff:".length()).strip(), 16);
                    return Optional.of(effective.testBit(capability));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unusual /proc: the tools' own errors will tell
        }
        return Optional.empty();
    }
}
