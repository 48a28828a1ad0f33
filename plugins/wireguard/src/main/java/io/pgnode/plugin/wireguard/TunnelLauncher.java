package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.LogSink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Creates the interface with its key, port, addresses and peers, up and serving: {@code wireguard-go -f}
 * (userspace) or {@code ip link add ... type wireguard} (kernel), then {@code wg set} and {@code ip}. A creation
 * that fails part way removes what it made.
 */
final class TunnelLauncher {

    private final InterfaceConfig config;
    private final WireguardSettings settings;
    private final WireguardSettings.Tools tools;
    private final WgCommand wg;
    private final IpCommand ip;
    private final Path workDirectory;
    private final LogSink logSink;
    private final Duration daemonTimeout;
    private final Duration stopGrace;

    /**
     * @param daemonTimeout how long wireguard-go may take to open its control socket
     * @param stopGrace how long wireguard-go may take to exit after TERM
     */
    TunnelLauncher(InterfaceConfig config, WireguardSettings settings, WireguardSettings.Tools tools, WgCommand wg,
            IpCommand ip, Path workDirectory, LogSink logSink, Duration daemonTimeout, Duration stopGrace) {
        this.config = requireNonNull(config, "config is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.tools = requireNonNull(tools, "tools is null");
        this.wg = requireNonNull(wg, "wg is null");
        this.ip = requireNonNull(ip, "ip is null");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
        this.logSink = requireNonNull(logSink, "logSink is null");
        this.daemonTimeout = requireNonNull(daemonTimeout, "daemonTimeout is null");
        this.stopGrace = requireNonNull(stopGrace, "stopGrace is null");
    }

    /**
     * Creates the interface with these peers.
     *
     * @throws BackendException {@code FAILURE} with the tool's own words; nothing of the interface is left then
     */
    TunnelInterface create(List<Peer> peers) {
        String iface = config.interfaceName();
        Optional<WireguardGoProcess> daemon = Optional.empty();
        if (settings.mode() == WireguardSettings.Mode.USERSPACE) {
            daemon = Optional.of(WireguardGoProcess.start(tools.wireguardGo().orElseThrow(), iface, settings.logLevel(),
                    workDirectory, logSink));
        } else {
            ip.addWireguardLink(iface);
        }
        TunnelInterface tunnel = new TunnelInterface(config, settings.mode(), wg, ip, workDirectory, daemon,
                Instant.now());
        try {
            daemon.ifPresent(d -> d.awaitSocket(daemonTimeout));
            try (KeyFile privateKey = KeyFile.write(workDirectory, config.privateKey())) {
                wg.configureInterface(iface, privateKey.path(), config.listenPort());
            }
            for (Cidr address : config.addresses()) {
                ip.addAddress(iface, address);
            }
            tunnel.setPeers(peers);
            ip.up(iface);
            return tunnel;
        } catch (RuntimeException e) {
            tunnel.destroy(stopGrace);
            throw e;
        }
    }
}
