package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.BackendException;
import io.pgnode.spi.UserSyncException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link PeerPlan} to the live interface with {@code wg set} and moves the {@link TrafficAccount}'s
 * baselines with it: the counters are read first (the traffic so far counts for the peers' old owners), a new peer
 * counts from zero, a peer that stays keeps counting. When {@code wg} fails part way, the peers become what the
 * interface has then, read back from it. Not thread-safe: the backend holds both its locks around {@link #apply}.
 */
final class LivePeerChanges {

    private static final Logger log = LoggerFactory.getLogger(LivePeerChanges.class);

    /**
     * What the change left.
     *
     * @param peers the peers the interface has now, by email
     * @param refused the users whose change did not happen, with wg's words
     * @param interfaceGone the interface could not be read back: it vanished, and its recreation should take
     *     {@code peers} (the wanted ones)
     */
    record Outcome(Map<String, Peer> peers, List<UserSyncException.RefusedChange> refused, boolean interfaceGone) {
        Outcome {
            peers = Map.copyOf(peers);
            refused = List.copyOf(refused);
        }
    }

    private final TrafficAccount account;

    LivePeerChanges(TrafficAccount account) {
        this.account = requireNonNull(account, "account is null");
    }

    Outcome apply(TunnelInterface tunnel, Map<String, Peer> before, PeerPlan plan) {
        try {
            account.record(tunnel.dump());
        } catch (BackendException e) {
            log.debug("could not read the counters before a peer change: {}", e.getMessage());
        }
        try {
            tunnel.removePeers(plan.removals().stream().map(Peer::key).toList());
            tunnel.setPeers(plan.upserts());
        } catch (BackendException e) {
            return readBack(tunnel, before, plan, e);
        }
        plan.removals().forEach(p -> account.peerRemoved(p.key()));
        moveBaselines(keys(before.values()), plan.upserts());
        plan.relabels().forEach(account::peerRelabelled);
        return new Outcome(plan.wanted(), List.of(), false);
    }

    /** A peer the interface had keeps its counters (and may count for someone else now); a new one starts at zero. */
    private void moveBaselines(Set<WireguardKey> hadKeys, Collection<Peer> peers) {
        for (Peer peer : peers) {
            if (hadKeys.contains(peer.key())) {
                account.peerRelabelled(peer);
            } else {
                account.peerAdded(peer);
            }
        }
    }

    private Outcome readBack(TunnelInterface tunnel, Map<String, Peer> before, PeerPlan plan, BackendException failure) {
        InterfaceDump actual;
        try {
            actual = tunnel.dump();
        } catch (BackendException gone) {
            return new Outcome(plan.wanted(), List.of(), true);
        }
        Map<String, Peer> now = new HashMap<>();
        List<UserSyncException.RefusedChange> refused = new ArrayList<>();
        Set<String> emails = new HashSet<>(before.keySet());
        emails.addAll(plan.wanted().keySet());
        for (String email : emails) {
            Peer wanted = plan.wanted().get(email);
            Peer was = before.get(email);
            if (wanted != null && has(actual, wanted)) {
                now.put(email, wanted);
                continue;
            }
            if (was != null && has(actual, was)) {
                now.put(email, was);
            }
            if (!Objects.equals(wanted, was)) {
                refused.add(new UserSyncException.RefusedChange(email, tunnel.name(), failure.getMessage(), false));
            }
        }
        Set<WireguardKey> hadKeys = keys(before.values());
        Set<WireguardKey> hasKeys = keys(now.values());
        hadKeys.stream().filter(k -> !hasKeys.contains(k)).forEach(account::peerRemoved);
        moveBaselines(hadKeys, now.values());
        return new Outcome(now, refused, false);
    }

    /** Whether the interface has the peer with exactly its allowed IPs. */
    private static boolean has(InterfaceDump dump, Peer peer) {
        return dump.peer(peer.key()).map(status -> {
            try {
                List<Cidr> ips = new ArrayList<>();
                for (String text : status.allowedIps().split(",")) {
                    if (!text.isBlank()) {
                        ips.add(Cidr.parse(text.strip()));
                    }
                }
                return !ips.isEmpty() && new Peer(peer.email(), peer.key(), ips).allowedIps().equals(peer.allowedIps());
            } catch (IllegalArgumentException e) {
                return false;
            }
        }).orElse(false);
    }

    private static Set<WireguardKey> keys(Collection<Peer> peers) {
        Set<WireguardKey> keys = new HashSet<>();
        peers.forEach(p -> keys.add(p.key()));
        return keys;
    }
}
