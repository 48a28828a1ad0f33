package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.OutboundLatency;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The interface's latency, as the upstream node measures it: one HTTP HEAD request to the config's test URL, sent
 * out through the interface ({@code curl --interface}: the request leaves through the tunnel, to the peer whose
 * allowed IPs cover the target), within the config's timeout.
 */
final class LatencyProbe {

    static final String SOURCE = "wireguard-probe";

    private final String iface;
    private final InterfaceConfig.LatencyTarget target;
    private final Optional<Path> curl;
    private final AtomicLong lastSeen = new AtomicLong();

    LatencyProbe(String iface, InterfaceConfig.LatencyTarget target, Optional<Path> curl) {
        this.iface = requireNonNull(iface, "iface is null");
        this.target = requireNonNull(target, "target is null");
        this.curl = requireNonNull(curl, "curl is null");
    }

    /**
     * Probes once.
     *
     * @throws BackendException {@code FAILURE} when no curl is installed
     */
    OutboundLatency probe() {
        Path executable = curl.orElseThrow(() -> new BackendException(BackendException.Kind.FAILURE, "the latency"
                + " probe needs curl, and none was found on PATH; install curl or set "
                + WireguardSettings.CURL_PATH));
        // a little longer than curl's own limit, so that curl's answer (not our kill) says what happened
        Tool tool = new Tool(executable, "curl", target.timeout().plusSeconds(5), Map.of());
        long tried = System.currentTimeMillis() / 1000;
        Tool.Result result = tool.run(List.of("-q", "--silent", "--show-error", "--head", "--output", "/dev/null",
                "--interface", iface, "--max-time", String.valueOf(target.timeout().toSeconds()),
                "--write-out", "%{time_total}", "--url", target.testUrl().toString()));
        boolean alive = result.succeeded();
        if (alive) {
            lastSeen.set(tried);
        }
        return new OutboundLatency(iface, alive, delayMillis(result.stdout()), target.testUrl().toString(),
                lastSeen.get(), tried, SOURCE);
    }

    /** curl's {@code time_total} in seconds, e.g. {@code 0.012345}, as milliseconds. */
    private static long delayMillis(String timeTotal) {
        try {
            return Math.round(Double.parseDouble(timeTotal.strip()) * 1000);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    Duration timeout() {
        return target.timeout();
    }
}
