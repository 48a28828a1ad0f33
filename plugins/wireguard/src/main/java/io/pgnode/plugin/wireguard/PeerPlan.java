package io.pgnode.plugin.wireguard;

import static java.util.Objects.requireNonNull;

import io.pgnode.spi.UserSyncException;
import java.util.List;
import java.util.Map;

/**
 * What a user sync does to the interface: the peers it ends with and the changes that get there from the current
 * peers. Made by {@link PeerPlanner}.
 *
 * @param wanted every peer after the sync, by email
 * @param removals peers to remove (their keys are not wanted any more)
 * @param upserts peers to add, or whose allowed IPs change
 * @param relabels peers that stay as they are in the interface but now count for another user (same key and IPs)
 * @param skipped users left as they were, and why
 */
record PeerPlan(Map<String, Peer> wanted, List<Peer> removals, List<Peer> upserts, List<Peer> relabels,
        List<UserSyncException.SkippedUser> skipped) {

    PeerPlan {
        wanted = Map.copyOf(wanted);
        removals = List.copyOf(removals);
        upserts = List.copyOf(upserts);
        relabels = List.copyOf(relabels);
        skipped = List.copyOf(skipped);
        requireNonNull(wanted, "wanted is null");
    }

    /** Whether the interface stays exactly as it is (no {@code wg} call, no accounting change). */
    boolean changesNothing() {
        return removals.isEmpty() && upserts.isEmpty() && relabels.isEmpty();
    }
}
