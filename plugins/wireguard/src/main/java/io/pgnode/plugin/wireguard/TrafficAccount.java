package io.pgnode.plugin.wireguard;

import static io.pgnode.spi.Stat.DOWNLINK;
import static io.pgnode.spi.Stat.TRAFFIC;
import static io.pgnode.spi.Stat.UPLINK;
import static java.util.Objects.requireNonNull;

import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.UsageSink;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The traffic counted since it was last handed over (to a stats answer with reset, or to the node's ledger), per
 * user and for the interface. WireGuard's counters only grow, from zero when a peer is added or the interface is
 * created, so the account keeps each counter's last reading (its baseline) and adds what it grew by.
 *
 * <p>Per user: the peer's received bytes are the user's {@code uplink}, its sent bytes the {@code downlink}. The
 * interface: the bytes it sent are its {@code uplink}, those it received its {@code downlink}, as the upstream node
 * reports the interface as an outbound.
 *
 * <p>Not thread-safe: the backend holds its accounting lock around every call and around every change of the
 * interface's peers, so that each byte is counted once: a reading, a change and the new baselines are one step.
 */
final class TrafficAccount {

    private final String interfaceName;
    /** Each peer's last reading, by public key. */
    private final Map<String, Baseline> peers = new HashMap<>();
    /** Counted and not handed over, by email. */
    private final Map<String, Pending> users = new HashMap<>();
    private final Pending interfaceTraffic = new Pending();
    private long interfaceSent;
    private long interfaceReceived;

    TrafficAccount(String interfaceName) {
        this.interfaceName = requireNonNull(interfaceName, "interfaceName is null");
    }

    private static final class Baseline {
        String email;
        long received;
        long sent;

        Baseline(String email) {
            this.email = email;
        }
    }

    private static final class Pending {
        long uplink;
        long downlink;

    }

    /** A new interface: every counter starts at zero, for these peers. */
    void interfaceCreated(Collection<Peer> created) {
        peers.clear();
        created.forEach(this::peerAdded);
        interfaceSent = 0;
        interfaceReceived = 0;
    }

    /** A peer the interface did not have: its counters start at zero. */
    void peerAdded(Peer peer) {
        peers.put(peer.key().base64(), new Baseline(peer.email()));
    }

    void peerRemoved(WireguardKey key) {
        peers.remove(key.base64());
    }

    /** The peer stays; from now on its traffic is {@code peer.email()}'s. */
    void peerRelabelled(Peer peer) {
        Baseline baseline = peers.get(peer.key().base64());
        if (baseline != null) {
            baseline.email = peer.email();
        }
    }

    /** Adds what each known peer's counters grew by since the last reading. */
    void record(InterfaceDump dump) {
        for (InterfaceDump.PeerStatus status : dump.peers()) {
            Baseline baseline = peers.get(status.key());
            if (baseline == null) {
                continue; // not a peer of ours (or not yet: its counters start at zero when we add it)
            }
            long received = growth(baseline.received, status.received());
            long sent = growth(baseline.sent, status.sent());
            baseline.received = status.received();
            baseline.sent = status.sent();
            if (received > 0 || sent > 0) {
                Pending pending = users.computeIfAbsent(baseline.email, e -> new Pending());
                pending.uplink += received;
                pending.downlink += sent;
            }
        }
    }

    /** Adds what the interface's own counters grew by since the last reading. */
    void record(IpCommand.LinkCounters counters) {
        interfaceTraffic.uplink += growth(interfaceSent, counters.sent());
        interfaceTraffic.downlink += growth(interfaceReceived, counters.received());
        interfaceSent = counters.sent();
        interfaceReceived = counters.received();
    }

    /** A counter below its baseline restarted from zero (someone re-created the peer): all of it is new. */
    private static long growth(long baseline, long now) {
        return now >= baseline ? now - baseline : now;
    }

    /** Whether the account has counted this user (as a peer now, or traffic not handed over yet). */
    boolean knowsUser(String email, Set<String> peerEmails) {
        return peerEmails.contains(email) || users.containsKey(email);
    }

    /**
     * Hands one user's traffic to {@code sink}, both directions (zero without traffic); with {@code reset} the
     * account forgets it.
     */
    void user(String email, boolean reset, Consumer<Stat> sink) {
        Pending pending = users.getOrDefault(email, new Pending());
        sink.accept(new Stat(email, UPLINK, TRAFFIC, pending.uplink));
        sink.accept(new Stat(email, DOWNLINK, TRAFFIC, pending.downlink));
        if (reset) {
            users.remove(email);
        }
    }

    /** Hands every user's non-zero traffic to {@code sink}; with {@code reset} the account forgets it. */
    void users(boolean reset, Consumer<Stat> sink) {
        List<Map.Entry<String, Pending>> entries = new ArrayList<>(users.entrySet());
        for (Map.Entry<String, Pending> entry : entries) {
            Pending pending = entry.getValue();
            if (pending.uplink > 0) {
                sink.accept(new Stat(entry.getKey(), UPLINK, TRAFFIC, pending.uplink));
            }
            if (pending.downlink > 0) {
                sink.accept(new Stat(entry.getKey(), DOWNLINK, TRAFFIC, pending.downlink));
            }
        }
        if (reset) {
            users.clear();
        }
    }

    /** Hands the interface's traffic to {@code sink}, both directions; with {@code reset} the account forgets it. */
    void interfaceTraffic(boolean reset, Consumer<Stat> sink) {
        sink.accept(new Stat(interfaceName, UPLINK, TRAFFIC, interfaceTraffic.uplink));
        sink.accept(new Stat(interfaceName, DOWNLINK, TRAFFIC, interfaceTraffic.downlink));
        if (reset) {
            interfaceTraffic.uplink = 0;
            interfaceTraffic.downlink = 0;
        }
    }

    /**
     * Moves the counted traffic of these owners into the node's ledger: each amount is forgotten as soon as the
     * ledger took it, so a ledger that fails part way loses nothing and doubles nothing.
     */
    void drainInto(UsageSink ledger, Set<TrafficOwner> owners) {
        if (owners.contains(TrafficOwner.USER)) {
            for (Iterator<Map.Entry<String, Pending>> it = users.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Pending> entry = it.next();
                Pending pending = entry.getValue();
                if (pending.uplink > 0) {
                    ledger.add(TrafficOwner.USER, entry.getKey(), UPLINK, pending.uplink);
                    pending.uplink = 0;
                }
                if (pending.downlink > 0) {
                    ledger.add(TrafficOwner.USER, entry.getKey(), DOWNLINK, pending.downlink);
                    pending.downlink = 0;
                }
                it.remove();
            }
        }
        if (owners.contains(TrafficOwner.OUTBOUND)) {
            if (interfaceTraffic.uplink > 0) {
                ledger.add(TrafficOwner.OUTBOUND, interfaceName, UPLINK, interfaceTraffic.uplink);
                interfaceTraffic.uplink = 0;
            }
            if (interfaceTraffic.downlink > 0) {
                ledger.add(TrafficOwner.OUTBOUND, interfaceName, DOWNLINK, interfaceTraffic.downlink);
                interfaceTraffic.downlink = 0;
            }
        }
    }
}
