package io.pgnode.plugin.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.spi.Stat;
import io.pgnode.spi.TrafficOwner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficAccountTest {

    private static final Peer ALICE = peer("alice", "10.8.0.2/32");
    private static final Peer BOB = peer("bob", "10.8.0.3/32");

    private final TrafficAccount account = new TrafficAccount("wg0");

    @Test
    void aUsersUplinkIsWhatThePeerSentAndItsDownlinkWhatItReceived() {
        account.interfaceCreated(List.of(ALICE, BOB));

        account.record(dump(counters(ALICE, 100, 5000), counters(BOB, 0, 0)));
        account.record(dump(counters(ALICE, 150, 9000), counters(BOB, 10, 20)));

        assertThat(user("alice", false)).containsExactly(stat("alice", "uplink", 150), stat("alice", "downlink", 9000));
        assertThat(users(false)).containsExactlyInAnyOrder(stat("alice", "uplink", 150), stat("alice", "downlink", 9000),
                stat("bob", "uplink", 10), stat("bob", "downlink", 20));
    }

    @Test
    void aResetHandsTheCountsOverOnceAndCountingGoesOnFromThere() {
        account.interfaceCreated(List.of(ALICE));
        account.record(dump(counters(ALICE, 100, 5000)));

        assertThat(users(true)).containsExactlyInAnyOrder(stat("alice", "uplink", 100), stat("alice", "downlink", 5000));
        assertThat(users(true)).isEmpty();
        account.record(dump(counters(ALICE, 130, 5100)));
        assertThat(user("alice", true)).containsExactly(stat("alice", "uplink", 30), stat("alice", "downlink", 100));
        assertThat(user("alice", false)).containsExactly(stat("alice", "uplink", 0), stat("alice", "downlink", 0));
    }

    @Test
    void aNewInterfaceOrARecreatedPeerStartsFromZeroWithoutLosingWhatWasCounted() {
        account.interfaceCreated(List.of(ALICE));
        account.record(dump(counters(ALICE, 100, 5000)));

        account.interfaceCreated(List.of(ALICE));
        account.record(dump(counters(ALICE, 10, 70)));
        account.peerRemoved(ALICE.key());
        account.peerAdded(ALICE);
        account.record(dump(counters(ALICE, 1, 2)));
        account.record(dump(counters(ALICE, 0, 1))); // below its baseline: someone else re-created it

        assertThat(user("alice", false)).containsExactly(stat("alice", "uplink", 111),
                stat("alice", "downlink", 5073));
    }

    @Test
    void aRemovedUsersTrafficIsStillReportedUntilHandedOver() {
        account.interfaceCreated(List.of(ALICE, BOB));
        account.record(dump(counters(BOB, 40, 400)));

        account.peerRemoved(BOB.key());
        account.record(dump(counters(ALICE, 1, 1)));

        assertThat(account.knowsUser("bob", Set.of("alice"))).isTrue();
        assertThat(user("bob", true)).containsExactly(stat("bob", "uplink", 40), stat("bob", "downlink", 400));
        assertThat(account.knowsUser("bob", Set.of("alice"))).isFalse();
    }

    @Test
    void aKeyThatChangesOwnerCountsForTheOldOwnerUntilTheChange() {
        account.interfaceCreated(List.of(ALICE));
        account.record(dump(counters(ALICE, 10, 100)));

        Peer carol = new Peer("carol", ALICE.key(), ALICE.allowedIps());
        account.peerRelabelled(carol);
        account.record(dump(counters(ALICE, 15, 160)));

        assertThat(users(false)).containsExactlyInAnyOrder(stat("alice", "uplink", 10), stat("alice", "downlink", 100),
                stat("carol", "uplink", 5), stat("carol", "downlink", 60));
    }

    @Test
    void theInterfaceIsAnOutboundWhoseUplinkIsWhatItSent() {
        account.interfaceCreated(List.of());
        account.record(new IpCommand.LinkCounters(300, 7000));
        account.record(new IpCommand.LinkCounters(310, 7100));

        List<Stat> stats = new ArrayList<>();
        account.interfaceTraffic(true, stats::add);
        assertThat(stats).containsExactly(stat("wg0", "uplink", 7100), stat("wg0", "downlink", 310));
        stats.clear();
        account.interfaceCreated(List.of());
        account.record(new IpCommand.LinkCounters(5, 50));
        account.interfaceTraffic(false, stats::add);
        assertThat(stats).containsExactly(stat("wg0", "uplink", 50), stat("wg0", "downlink", 5));
    }

    @Test
    void drainingHandsEachAmountToTheLedgerOnceEvenWhenTheLedgerFailsPartWay() {
        account.interfaceCreated(List.of(ALICE, BOB));
        account.record(dump(counters(ALICE, 10, 100), counters(BOB, 20, 200)));
        account.record(new IpCommand.LinkCounters(30, 300));
        Map<String, Long> ledger = new HashMap<>();
        int[] calls = {0};

        assertThatThrownBy(() -> account.drainInto((owner, name, direction, bytes) -> {
            if (++calls[0] == 3) {
                throw new IllegalStateException("ledger full");
            }
            ledger.merge(owner + "/" + name + "/" + direction, bytes, Long::sum);
        }, Set.of(TrafficOwner.USER, TrafficOwner.OUTBOUND))).hasMessage("ledger full");
        account.drainInto((owner, name, direction, bytes) -> ledger.merge(owner + "/" + name + "/" + direction, bytes,
                Long::sum), Set.of(TrafficOwner.USER, TrafficOwner.OUTBOUND));

        assertThat(ledger).containsOnly(Map.entry("USER/alice/uplink", 10L), Map.entry("USER/alice/downlink", 100L),
                Map.entry("USER/bob/uplink", 20L), Map.entry("USER/bob/downlink", 200L),
                Map.entry("OUTBOUND/wg0/uplink", 300L), Map.entry("OUTBOUND/wg0/downlink", 30L));
        assertThat(users(false)).isEmpty();
    }

    private List<Stat> user(String email, boolean reset) {
        List<Stat> stats = new ArrayList<>();
        account.user(email, reset, stats::add);
        return stats;
    }

    private List<Stat> users(boolean reset) {
        List<Stat> stats = new ArrayList<>();
        account.users(reset, stats::add);
        return stats;
    }

    private static Stat stat(String name, String type, long value) {
        return new Stat(name, type, "traffic", value);
    }

    private static Peer peer(String email, String ip) {
        return new Peer(email, WireguardKey.parse(TestingKeys.generate().publicKey()), List.of(Cidr.parse(ip)));
    }

    private static String counters(Peer peer, long received, long sent) {
        return peer.key().base64() + "\t(none)\t172.31.1.2:5000\t" + peer.allowedIpsArgument() + "\t0\t" + received + "\t"
                + sent + "\toff";
    }

    private static InterfaceDump dump(String... peerLines) {
        return InterfaceDump.parse("interface line\n" + String.join("\n", peerLines) + "\n");
    }
}
