package io.pgnode.plugin.wireguard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The interface's peers as {@code wg show IFACE dump} prints them: after one line about the interface (which holds
 * its private key and is skipped unread), one tab-separated line per peer: public key, pre-shared key, endpoint,
 * allowed IPs, latest handshake (Unix seconds, 0 for never), bytes received, bytes sent, persistent keepalive.
 */
final class InterfaceDump {

    /**
     * One peer's state.
     *
     * @param key the public key as printed
     * @param endpoint {@code ip:port} or {@code [ipv6]:port}; empty before the peer's first packet
     * @param allowedIps as printed, comma-separated; empty for none
     * @param latestHandshake Unix seconds; 0 when there was none
     * @param received bytes received from the peer
     * @param sent bytes sent to the peer
     */
    record PeerStatus(String key, Optional<String> endpoint, String allowedIps, long latestHandshake, long received,
            long sent) {

        /** The endpoint's IP address without brackets or port. */
        Optional<String> endpointIp() {
            return endpoint.map(e -> {
                int colon = e.lastIndexOf(':');
                String host = colon < 0 ? e : e.substring(0, colon);
                return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            });
        }
    }

    private final Map<String, PeerStatus> peers;

    private InterfaceDump(Map<String, PeerStatus> peers) {
        this.peers = peers;
    }

    /**
     * Parses the output.
     *
     * @throws IllegalArgumentException when a peer line does not have the eight fields; the message never holds the
     *     output (its first line is the private key)
     */
    static InterfaceDump parse(String output) {
        String[] lines = output.split("\n");
        Map<String, PeerStatus> peers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] f = lines[i].split("\t", -1);
            if (f.length != 8) {
                throw new IllegalArgumentException("line " + (i + 1) + " of `wg show dump` has " + f.length
                        + " fields instead of 8");
            }
            try {
                peers.put(f[0], new PeerStatus(f[0], none(f[2]), none(f[3]).orElse(""), Long.parseLong(f[4]),
                        Long.parseLong(f[5]), Long.parseLong(f[6])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " of `wg show dump` has a counter that is not"
                        + " a number");
            }
        }
        return new InterfaceDump(peers);
    }

    private static Optional<String> none(String field) {
        return field.equals("(none)") || field.isEmpty() ? Optional.empty() : Optional.of(field);
    }

    Optional<PeerStatus> peer(WireguardKey key) {
        return Optional.ofNullable(peers.get(key.base64()));
    }

    List<PeerStatus> peers() {
        return new ArrayList<>(peers.values());
    }
}
