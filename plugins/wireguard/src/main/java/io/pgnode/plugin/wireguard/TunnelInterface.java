package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One life of the WireGuard interface, from its creation by {@link TunnelLauncher} to {@link #destroy}: in
 * userspace mode the wireguard-go process that holds it, in kernel mode the kernel's link. Its counters start at
 * zero with it. Not thread-safe: the backend calls it under its accounting lock.
 */
final class TunnelInterface {

    private static final Logger log = LoggerFactory.getLogger(TunnelInterface.class);

    private final InterfaceConfig config;
    private final WireguardSettings.Mode mode;
    private final WgCommand wg;
    private final IpCommand ip;
    private final Path workDirectory;
    private final Optional<WireguardGoProcess> daemon;
    private final Instant createdAt;

    TunnelInterface(InterfaceConfig config, WireguardSettings.Mode mode, WgCommand wg, IpCommand ip,
            Path workDirectory, Optional<WireguardGoProcess> daemon, Instant createdAt) {
        this.config = requireNonNull(config, "config is null");
        this.mode = requireNonNull(mode, "mode is null");
        this.wg = requireNonNull(wg, "wg is null");
        this.ip = requireNonNull(ip, "ip is null");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
        this.daemon = requireNonNull(daemon, "daemon is null");
        this.createdAt = requireNonNull(createdAt, "createdAt is null");
    }

    String name() {
        return config.interfaceName();
    }

    Instant createdAt() {
        return createdAt;
    }

    /** The userspace daemon; empty in kernel mode. */
    Optional<WireguardGoProcess> daemon() {
        return daemon;
    }

    /** False once the userspace daemon has exited; a kernel link is checked by reading it. */
    boolean isAlive() {
        return daemon.map(WireguardGoProcess::isAlive).orElse(true);
    }

    InterfaceDump dump() {
        return wg.dump(name());
    }

    IpCommand.LinkCounters counters() {
        return ip.counters(name());
    }

    /** Adds these peers or sets their allowed IPs, with the config's pre-shared key and keepalive. */
    void setPeers(List<Peer> peers) {
        if (peers.isEmpty()) {
            return;
        }
        if (config.preSharedKey().isPresent()) {
            try (KeyFile psk = KeyFile.write(workDirectory, config.preSharedKey().get())) {
                wg.setPeers(name(), peers, Optional.of(psk.path()), config.peerKeepaliveSeconds());
            }
        } else {
            wg.setPeers(name(), peers, Optional.empty(), config.peerKeepaliveSeconds());
        }
    }

    void removePeers(List<WireguardKey> keys) {
        if (!keys.isEmpty()) {
            wg.removePeers(name(), keys);
        }
    }

    /** What the work directory records about this interface while it exists. */
    InterfaceRecord record() {
        return new InterfaceRecord(name(), mode, daemon.map(WireguardGoProcess::pid).orElse(0L),
                daemon.flatMap(WireguardGoProcess::startInstant).map(Instant::toEpochMilli).orElse(0L),
                config.listenPort());
    }

    /**
     * Removes the interface: ends the daemon (which takes the interface with it), or deletes the kernel link; then
     * makes sure nothing of it is left. Never throws: what could not be removed is logged.
     */
    void destroy(Duration grace) {
        daemon.ifPresent(d -> d.stop(grace));
        try {
            if (ip.exists(name())) {
                ip.delete(name());
            }
        } catch (RuntimeException e) {
            log.warn("could not remove the interface {}: {}", name(), e.getMessage());
        }
    }
}
