package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException.SkippedUser;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the panel's users into the interface's peers, as the upstream node decides it: a user is a peer when its
 * inbounds list the interface's name and it has a WireGuard public key and peer IPs; anyone else is not (and is
 * removed if it was). A user whose key or peer IPs cannot be used, or who would share a key or overlapping peer IPs
 * with another user, is skipped: it stays as it was, and the sync names it.
 *
 * <p>Conflicts are settled without regard to the order of the panel's list: a user who keeps what it had wins over
 * one who asks for the same key or IPs; two users who both ask for them anew are both skipped.
 */
final class PeerPlanner {

    private final String interfaceName;
    private final boolean interfaceExcluded;

    /**
     * @param interfaceName the inbound name that makes a user a peer
     * @param interfaceExcluded the panel excluded the interface: no user is a peer
     */
    PeerPlanner(String interfaceName, boolean interfaceExcluded) {
        this.interfaceName = requireNonNull(interfaceName, "interfaceName is null");
        this.interfaceExcluded = interfaceExcluded;
    }

    /**
     * Plans a sync.
     *
     * @param current the peers the interface has, by email
     * @param given the users the panel sent (the same email twice: the last one counts)
     * @param fullSet whether {@code given} is every user (peers of users not in it are removed)
     */
    PeerPlan plan(Map<String, Peer> current, Collection<User> given, boolean fullSet) {
        Map<String, Peer> wanted = new HashMap<>(fullSet ? Map.of() : current);
        Map<String, String> skipped = new LinkedHashMap<>();
        Map<String, User> lastByEmail = new LinkedHashMap<>();
        for (User user : given) {
            lastByEmail.remove(user.email());
            lastByEmail.put(user.email(), user);
        }
        for (User user : lastByEmail.values()) {
            String email = user.email();
            Optional<Proxies.Wireguard> account = peerAccount(user);
            if (account.isEmpty()) {
                wanted.remove(email);
                continue;
            }
            try {
                wanted.put(email, peer(email, account.get()));
            } catch (IllegalArgumentException e) {
                skipped.put(email, e.getMessage());
                keepAsItWas(wanted, current, email);
            }
        }
        settleConflicts(wanted, current, skipped);
        return diff(current, wanted, skipped);
    }

    /** The user's WireGuard account when the user is meant to be a peer of this interface. */
    private Optional<Proxies.Wireguard> peerAccount(User user) {
        if (interfaceExcluded || !user.inbounds().contains(interfaceName)) {
            return Optional.empty();
        }
        return user.proxies().wireguardAccount()
                .filter(account -> !account.publicKey().isBlank() && !account.peerIps().isEmpty());
    }

    private static Peer peer(String email, Proxies.Wireguard account) {
        WireguardKey key;
        try {
            key = WireguardKey.parse(account.publicKey().strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the WireGuard public key " + e.getMessage());
        }
        List<Cidr> ips = new ArrayList<>();
        for (String text : account.peerIps()) {
            try {
                ips.add(Cidr.parse(text.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("peer IP \"" + text + "\" " + e.getMessage()
                        + "; write it as 10.8.0.2/32 or fd00::2/128");
            }
        }
        return new Peer(email, key, ips);
    }

    private static void keepAsItWas(Map<String, Peer> wanted, Map<String, Peer> current, String email) {
        Peer was = current.get(email);
        if (was == null) {
            wanted.remove(email);
        } else {
            wanted.put(email, was);
        }
    }

    /**
     * Skips changed users until no two peers share a key or an address. Each round skips at least one changed user
     * (the current peers have no conflict among themselves), so it ends.
     */
    private static void settleConflicts(Map<String, Peer> wanted, Map<String, Peer> current,
            Map<String, String> skipped) {
        while (true) {
            Map<String, String> conflicts = conflicts(wanted);
            boolean skippedOne = false;
            for (Map.Entry<String, String> conflict : conflicts.entrySet()) {
                String email = conflict.getKey();
                if (!Objects.equals(wanted.get(email), current.get(email))) {
                    skipped.putIfAbsent(email, conflict.getValue());
                    keepAsItWas(wanted, current, email);
                    skippedOne = true;
                }
            }
            if (!skippedOne) {
                return;
            }
        }
    }

    /** Every user that shares a key or an address with another, with a sentence naming the other. */
    private static Map<String, String> conflicts(Map<String, Peer> wanted) {
        Map<String, String> conflicts = new LinkedHashMap<>();
        Map<WireguardKey, String> byKey = new HashMap<>();
        for (Peer peer : sorted(wanted.values())) {
            String holder = byKey.putIfAbsent(peer.key(), peer.email());
            if (holder != null) {
                conflicts.putIfAbsent(peer.email(), "its public key is also user " + holder + "'s");
                conflicts.putIfAbsent(holder, "its public key is also user " + peer.email() + "'s");
            }
        }
        // a sweep over the networks by first address: one overlaps an earlier one iff it starts before the
        // furthest end seen so far (per address family)
        List<Owned> networks = new ArrayList<>();
        for (Peer peer : wanted.values()) {
            for (Cidr ip : peer.allowedIps()) {
                networks.add(new Owned(ip, peer.email(), ip.first(), ip.last()));
            }
        }
        networks.sort(Comparator.comparing((Owned o) -> o.ip().isIpv6()).thenComparing(Owned::first)
                .thenComparing(Owned::email));
        Owned furthest = null;
        for (Owned network : networks) {
            if (furthest != null && furthest.ip().isIpv6() == network.ip().isIpv6()
                    && network.first().compareTo(furthest.last()) <= 0 && !network.email().equals(furthest.email())) {
                conflicts.putIfAbsent(network.email(), "peer IP " + network.ip() + " overlaps " + furthest.ip()
                        + " of user " + furthest.email());
                conflicts.putIfAbsent(furthest.email(), "peer IP " + furthest.ip() + " overlaps " + network.ip()
                        + " of user " + network.email());
            }
            if (furthest == null || furthest.ip().isIpv6() != network.ip().isIpv6()
                    || network.last().compareTo(furthest.last()) > 0) {
                furthest = network;
            }
        }
        return conflicts;
    }

    private record Owned(Cidr ip, String email, BigInteger first, BigInteger last) {}

    private static List<Peer> sorted(Collection<Peer> peers) {
        List<Peer> list = new ArrayList<>(peers);
        list.sort(Comparator.comparing(Peer::email));
        return list;
    }

    /** Compares by key: a key that stays with the same allowed IPs needs no {@code wg} call, whoever it counts for. */
    private static PeerPlan diff(Map<String, Peer> current, Map<String, Peer> wanted, Map<String, String> skipped) {
        Map<WireguardKey, Peer> currentByKey = byKey(current.values());
        Map<WireguardKey, Peer> wantedByKey = byKey(wanted.values());
        List<Peer> removals = new ArrayList<>();
        List<Peer> upserts = new ArrayList<>();
        List<Peer> relabels = new ArrayList<>();
        for (Peer was : currentByKey.values()) {
            if (!wantedByKey.containsKey(was.key())) {
                removals.add(was);
            }
        }
        for (Peer peer : wantedByKey.values()) {
            Peer was = currentByKey.get(peer.key());
            if (was == null || !was.sameTunnel(peer)) {
                upserts.add(peer);
            } else if (!was.email().equals(peer.email())) {
                relabels.add(peer);
            }
        }
        List<SkippedUser> skippedUsers = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        skipped.forEach((email, reason) -> {
            if (named.add(email)) {
                skippedUsers.add(new SkippedUser(email, reason));
            }
        });
        return new PeerPlan(wanted, removals, upserts, relabels, skippedUsers);
    }

    private static Map<WireguardKey, Peer> byKey(Collection<Peer> peers) {
        Map<WireguardKey, Peer> byKey = new LinkedHashMap<>();
        for (Peer peer : sorted(peers)) {
            byKey.put(peer.key(), peer);
        }
        return byKey;
    }
}
