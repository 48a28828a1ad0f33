package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A panel user as a peer of the interface.
 *
 * @param email the user, whose traffic counters the peer's are
 * @param key the peer's public key
 * @param allowedIps the networks the peer may send from and is routed to: sorted, distinct, host bits cleared
 *     (as {@code wg} keeps them), so that equal sets compare equal
 */
record Peer(String email, WireguardKey key, List<Cidr> allowedIps) {

    Peer {
        requireNonNull(email, "email is null");
        requireNonNull(key, "key is null");
        allowedIps = allowedIps.stream().map(Cidr::network).distinct().sorted().collect(Collectors.toUnmodifiableList());
        if (allowedIps.isEmpty()) {
            throw new IllegalArgumentException("a peer needs at least one allowed IP");
        }
    }

    /** Whether the interface needs no change to turn {@code other} into this peer (the email is ours only). */
    boolean sameTunnel(Peer other) {
        return key.equals(other.key) && allowedIps.equals(other.allowedIps);
    }

    /** {@code 10.8.0.2/32,fd00::2/128}: the allowed IPs as {@code wg set} takes them. */
    String allowedIpsArgument() {
        return allowedIps.stream().map(Cidr::toString).collect(Collectors.joining(","));
    }
}
