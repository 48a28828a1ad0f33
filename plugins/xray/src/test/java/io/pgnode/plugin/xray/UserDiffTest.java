package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UserDiffTest {

    private static final InboundAccount A1 = new InboundAccount.Vmess("11111111-1111-1111-1111-111111111111");
    private static final InboundAccount A2 = new InboundAccount.Vmess("22222222-2222-2222-2222-222222222222");
    private static final InboundAccount T1 = new InboundAccount.Trojan("first-password");

    @Test
    void unchangedUsersProduceNothing() {
        Map<String, UserEntry> current = table(entry("a", "vmess", A1), entry("b", "trojan", T1));

        UserDiff diff = UserDiff.between(current, current.values(), true, Set.of());

        assertThat(diff.isEmpty()).isTrue();
    }

    @Test
    void aNewUserIsAddedInEachOfItsInbounds() {
        UserEntry user = new UserEntry("a", Map.of("vmess", A1, "trojan", T1));

        UserDiff diff = UserDiff.between(Map.of(), List.of(user), false, Set.of());

        assertThat(diff.changes()).containsExactlyInAnyOrder(
                new UserDiff.Change("vmess", "a", null, A1),
                new UserDiff.Change("trojan", "a", null, T1));
    }

    @Test
    void aChangedAccountIsRemovedAndAddedOnlyWhereItChanged() {
        Map<String, UserEntry> current = table(new UserEntry("a", Map.of("vmess", A1, "trojan", T1)));

        UserDiff diff = UserDiff.between(current, List.of(new UserEntry("a", Map.of("vmess", A2, "trojan", T1))),
                false, Set.of());

        assertThat(diff.changes()).containsExactly(new UserDiff.Change("vmess", "a", A1, A2));
    }

    @Test
    void leavingAnInboundRemovesTheUserThereOnly() {
        Map<String, UserEntry> current = table(new UserEntry("a", Map.of("vmess", A1, "trojan", T1)));

        UserDiff diff = UserDiff.between(current, List.of(entry("a", "vmess", A1)), false, Set.of());

        assertThat(diff.changes()).containsExactly(new UserDiff.Change("trojan", "a", T1, null));
    }

    @Test
    void aUserWithoutInboundsIsRemovedEverywhere() {
        Map<String, UserEntry> current = table(new UserEntry("a", Map.of("vmess", A1, "trojan", T1)));

        UserDiff diff = UserDiff.between(current, List.of(new UserEntry("a", Map.of())), false, Set.of());

        assertThat(diff.changes()).containsExactlyInAnyOrder(
                new UserDiff.Change("vmess", "a", A1, null),
                new UserDiff.Change("trojan", "a", T1, null));
    }

    @Test
    void aFullSetRemovesMissingUsersButAPartialSetLeavesThem() {
        Map<String, UserEntry> current = table(entry("a", "vmess", A1), entry("b", "vmess", A2));

        assertThat(UserDiff.between(current, List.of(entry("a", "vmess", A1)), true, Set.of()).changes())
                .containsExactly(new UserDiff.Change("vmess", "b", A2, null));
        assertThat(UserDiff.between(current, List.of(entry("a", "vmess", A1)), false, Set.of()).isEmpty()).isTrue();
    }

    @Test
    void aFullSetKnowsItsUsersByEmailNotByTheObjectsTheTableHolds() {
        // the wanted users come from the request: other strings, other entries than the table's, some twice
        Map<String, UserEntry> current = table(entry("a", "vmess", A1), entry("b", "vmess", A1), entry("c", "vmess", A1));
        List<UserEntry> wanted = List.of(entry(new String("a"), "vmess", A1), entry(new String("c"), "vmess", A2),
                entry(new String("a"), "vmess", A1));

        UserDiff diff = UserDiff.between(current, wanted, true, Set.of());

        assertThat(diff.changes()).containsExactlyInAnyOrder(
                new UserDiff.Change("vmess", "b", A1, null),
                new UserDiff.Change("vmess", "c", A1, A2));
    }

    @Test
    void usersSentWithInvalidCredentialsStayAsTheyAre() {
        Map<String, UserEntry> current = table(entry("a", "vmess", A1), entry("bad", "vmess", A2));

        UserDiff diff = UserDiff.between(current, List.of(entry("a", "vmess", A1)), true, Set.of("bad"));

        assertThat(diff.isEmpty()).isTrue();
    }

    @Test
    void theLastEntryForAnEmailWins() {
        UserDiff diff = UserDiff.between(Map.of(), List.of(entry("a", "vmess", A1), entry("a", "vmess", A2)), false,
                Set.of());

        assertThat(diff.changes()).containsExactly(new UserDiff.Change("vmess", "a", null, A2));
    }

    @Test
    void aSmallChangeInABigSetTouchesOnlyTheChangedUsers() {
        Map<String, UserEntry> current = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            current.put("u" + i, entry("u" + i, "vmess", A1));
        }
        List<UserEntry> wanted = new java.util.ArrayList<>(current.values());
        wanted.removeIf(u -> u.email().equals("u7"));
        wanted.replaceAll(u -> u.email().equals("u9") ? entry("u9", "vmess", A2) : u);
        wanted.add(entry("new", "trojan", T1));

        UserDiff diff = UserDiff.between(current, wanted, true, Set.of());

        assertThat(diff.changes()).containsExactlyInAnyOrder(
                new UserDiff.Change("vmess", "u7", A1, null),
                new UserDiff.Change("vmess", "u9", A1, A2),
                new UserDiff.Change("trojan", "new", null, T1));
    }

    @Test
    void shadowsocksOnV2flyNeedsARestartButVmessDoesNot() {
        Map<String, ManagedInbound> inbounds = Map.of(
                "ss", new ManagedInbound("ss", InboundProtocol.SHADOWSOCKS, java.util.Optional.empty(), false, "aes-128-gcm"),
                "vmess", new ManagedInbound("vmess", InboundProtocol.VMESS, java.util.Optional.empty(), false, ""));
        InboundAccount ss = new InboundAccount.Shadowsocks("pw", "aes-128-gcm", 1);

        UserDiff ssDiff = UserDiff.between(Map.of(), List.of(entry("a", "ss", ss)), false, Set.of());
        UserDiff vmessDiff = UserDiff.between(Map.of(), List.of(entry("a", "vmess", A1)), false, Set.of());

        assertThat(ssDiff.needsRestart(CoreFlavor.V2FLY, inbounds)).isTrue();
        assertThat(ssDiff.needsRestart(CoreFlavor.XRAY, inbounds)).isFalse();
        assertThat(vmessDiff.needsRestart(CoreFlavor.V2FLY, inbounds)).isFalse();
    }

    private static UserEntry entry(String email, String tag, InboundAccount account) {
        return new UserEntry(email, Map.of(tag, account));
    }

    private static Map<String, UserEntry> table(UserEntry... entries) {
        Map<String, UserEntry> table = new HashMap<>();
        for (UserEntry entry : entries) {
            table.put(entry.email(), entry);
        }
        return table;
    }
}
