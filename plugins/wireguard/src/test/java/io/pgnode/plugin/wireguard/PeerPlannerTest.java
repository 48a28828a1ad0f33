package io.pgnode.plugin.wireguard;

import static io.pgnode.plugin.wireguard.TestingWireguard.peerUser;
import static io.pgnode.plugin.wireguard.TestingWireguard.removal;
import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.spi.Proxies;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException.SkippedUser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerPlannerTest {

    private static final String A = TestingKeys.generate().publicKey();
    private static final String B = TestingKeys.generate().publicKey();
    private static final String C = TestingKeys.generate().publicKey();

    private final PeerPlanner planner = new PeerPlanner("wg0", false);

    @Test
    void aUserIsAPeerWhenItsInboundsListTheInterfaceAndItHasAKeyAndPeerIps() {
        PeerPlan plan = planner.plan(Map.of(), List.of(
                peerUser("a", A, "wg0", "10.8.0.2/32"),
                peerUser("b", B, "wg1", "10.8.0.3/32"),
                new User("c", Proxies.NONE, List.of("wg0")),
                new User("d", TestingWireguard.wireguard("", "10.8.0.4/32"), List.of("wg0")),
                new User("e", TestingWireguard.wireguard(C), List.of("wg0"))), true);

        assertThat(plan.wanted()).containsOnlyKeys("a");
        assertThat(plan.upserts()).extracting(Peer::email).containsExactly("a");
        assertThat(plan.skipped()).as("not peers, not errors").isEmpty();
    }

    @Test
    void theSamePayloadAgainChangesNothing() {
        List<User> users = List.of(peerUser("a", A, "wg0", "10.8.0.2/32"), peerUser("b", B, "wg0", "10.8.0.3/32"));
        Map<String, Peer> current = planner.plan(Map.of(), users, true).wanted();

        assertThat(planner.plan(current, users, true).changesNothing()).isTrue();
        assertThat(planner.plan(current, List.of(users.get(0)), false).changesNothing()).isTrue();
    }

    @Test
    void aFullSyncRemovesWhoIsMissingAndAPartialOneOnlyWhoIsNamed() {
        Map<String, Peer> current = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32"),
                peerUser("b", B, "wg0", "10.8.0.3/32")), true).wanted();

        PeerPlan full = planner.plan(current, List.of(peerUser("a", A, "wg0", "10.8.0.2/32")), true);
        PeerPlan partial = planner.plan(current, List.of(peerUser("c", C, "wg0", "10.8.0.4/32")), false);
        PeerPlan removal = planner.plan(current, List.of(removal("a")), false);
        PeerPlan leftTheInterface = planner.plan(current, List.of(peerUser("a", A, "wg1", "10.8.0.2/32")), false);

        assertThat(full.removals()).extracting(Peer::email).containsExactly("b");
        assertThat(full.upserts()).isEmpty();
        assertThat(partial.wanted()).containsOnlyKeys("a", "b", "c");
        assertThat(partial.upserts()).extracting(Peer::email).containsExactly("c");
        assertThat(removal.removals()).extracting(Peer::email).containsExactly("a");
        assertThat(leftTheInterface.removals()).extracting(Peer::email).containsExactly("a");
    }

    @Test
    void newPeerIpsAreOneChangeOfThePeerAndANewKeyReplacesIt() {
        Map<String, Peer> current = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32")), true)
                .wanted();

        PeerPlan ips = planner.plan(current, List.of(peerUser("a", A, "wg0", "10.8.0.2/32", "fd00::2/128")), false);
        PeerPlan key = planner.plan(current, List.of(peerUser("a", B, "wg0", "10.8.0.2/32")), false);

        assertThat(ips.removals()).isEmpty();
        assertThat(ips.upserts()).singleElement().satisfies(p -> assertThat(p.allowedIpsArgument())
                .isEqualTo("10.8.0.2/32,fd00::2/128"));
        assertThat(key.removals()).extracting(p -> p.key().base64()).containsExactly(A);
        assertThat(key.upserts()).extracting(p -> p.key().base64()).containsExactly(B);
    }

    @Test
    void aKeyThatMovesToAnotherUserStaysInTheInterfaceAndOnlyCountsForTheNewOwner() {
        Map<String, Peer> current = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32")), true)
                .wanted();

        PeerPlan plan = planner.plan(current, List.of(peerUser("z", A, "wg0", "10.8.0.2/32")), true);

        assertThat(plan.removals()).isEmpty();
        assertThat(plan.upserts()).isEmpty();
        assertThat(plan.relabels()).extracting(Peer::email).containsExactly("z");
        assertThat(plan.changesNothing()).isFalse();
    }

    @Test
    void invalidKeysAndPeerIpsAreSkippedNamedAndLeaveTheUserAsItWas() {
        Map<String, Peer> current = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32")), true)
                .wanted();

        PeerPlan plan = planner.plan(current, List.of(
                peerUser("a", "not-a-key", "wg0", "10.8.0.2/32"),
                peerUser("b", B, "wg0", "10.8.0.300/32"),
                peerUser("c", C, "wg0", "10.8.0.4/32")), true);

        assertThat(plan.skipped()).containsExactly(
                new SkippedUser("a", "the WireGuard public key is not base64 of 32 bytes"),
                new SkippedUser("b", "peer IP \"10.8.0.300/32\" is not an IP address; write it as 10.8.0.2/32 or"
                        + " fd00::2/128"));
        assertThat(plan.wanted()).as("a keeps its peer, b gets none, c is applied").containsOnlyKeys("a", "c");
        assertThat(plan.wanted().get("a")).isEqualTo(current.get("a"));
        assertThat(plan.removals()).isEmpty();
    }

    @Test
    void aUserWhoKeepsItsKeyOrIpsWinsOverOneWhoAsksForThem() {
        Map<String, Peer> current = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32")), true)
                .wanted();

        PeerPlan plan = planner.plan(current, List.of(
                peerUser("b", A, "wg0", "10.8.0.3/32"),
                peerUser("a", A, "wg0", "10.8.0.2/32"),
                peerUser("c", C, "wg0", "10.8.0.0/24")), true);

        assertThat(plan.wanted()).containsOnlyKeys("a");
        assertThat(plan.changesNothing()).isTrue();
        assertThat(plan.skipped()).containsExactlyInAnyOrder(
                new SkippedUser("b", "its public key is also user a's"),
                new SkippedUser("c", "peer IP 10.8.0.0/24 overlaps 10.8.0.2/32 of user a"));
    }

    @Test
    void twoNewUsersAskingForTheSameThingAreBothSkippedWhateverTheirOrder() {
        List<User> users = List.of(peerUser("b", B, "wg0", "10.8.0.3/32"), peerUser("c", C, "wg0", "10.8.0.3/32"),
                peerUser("d", A, "wg0", "10.8.0.5/32"), peerUser("e", A, "wg0", "10.8.0.6/32"));

        PeerPlan forward = planner.plan(Map.of(), users, true);
        PeerPlan backward = planner.plan(Map.of(), List.of(users.get(3), users.get(2), users.get(1), users.get(0)), true);

        assertThat(forward.wanted()).isEmpty();
        assertThat(forward.skipped()).extracting(SkippedUser::email).containsExactlyInAnyOrder("b", "c", "d", "e");
        assertThat(backward.wanted()).isEmpty();
        assertThat(backward.skipped()).extracting(SkippedUser::email).containsExactlyInAnyOrder("b", "c", "d", "e");
    }

    @Test
    void theLastOfTwoEntriesForOneEmailCountsAndAnExcludedInterfaceHasNoPeers() {
        PeerPlan plan = planner.plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32"),
                peerUser("a", B, "wg0", "10.8.0.2/32")), true);
        PeerPlan excluded = new PeerPlanner("wg0", true).plan(Map.of(), List.of(peerUser("a", A, "wg0", "10.8.0.2/32")),
                true);

        assertThat(plan.wanted().get("a").key().base64()).isEqualTo(B);
        assertThat(plan.skipped()).isEmpty();
        assertThat(excluded.wanted()).isEmpty();
    }
}
