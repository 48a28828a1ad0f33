package io.pgnode.plugin.xray;

import static io.pgnode.plugin.xray.TestUsers.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.TestingBackendContext;
import io.pgnode.spi.BackendContext;
import io.pgnode.spi.BackendException;
import io.pgnode.spi.LogSink;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import io.pgnode.spi.User;
import io.pgnode.spi.UserSyncException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage as the node owns it (SPI 1.1), against the fake of Xray's API: a drain hands every traffic counter to the
 * node's ledger exactly once, stats answer what the core counts now, and a single target is read by its exact
 * counter names.
 */
class UsageOnXrayTest {

    @TempDir
    Path dir;

    private FakeXrayBackend xray;

    @AfterEach
    void stop() throws Exception {
        if (xray != null) {
            xray.close();
        }
    }

    @Test
    void aDrainHandsEveryTrafficCounterToTheLedgerOnceAndLeavesTheCoreAtZero() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        TestingXrayApi api = xray.api;
        api.setCounter("user>>>alice@x>>>traffic>>>uplink", 100);
        api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);
        api.setCounter("inbound>>>vless-in>>>traffic>>>downlink", 1010);
        api.setCounter("inbound>>>api>>>traffic>>>uplink", 7);
        api.setCounter("outbound>>>direct>>>traffic>>>downlink", 990);
        api.setCounter("user>>>alice@x>>>online", 1);

        xray.backend.drainUsage(UsageDrain.ALL);
        xray.backend.drainUsage(UsageDrain.ALL);

        assertThat(LedgerContents.of(xray.context.usage())).containsExactly(
                Map.entry("INBOUND vless-in downlink", 1010L),
                Map.entry("OUTBOUND direct downlink", 990L),
                Map.entry("USER alice@x downlink", 1000L),
                Map.entry("USER alice@x uplink", 100L));
        assertThat(api.counter("user>>>alice@x>>>traffic>>>downlink")).as("taken out of the core").isZero();
        assertThat(xray.backend.stats(new StatQuery(StatQuery.Scope.USER, "alice@x", false)))
                .as("live counters only: the node adds its ledger").extracting(Stat::value).containsOnly(0L);
    }

    @Test
    void afterAnUnreadableDrainDrainsReadWithoutResetUntilTheCoresAnswersReadAgain() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        String downlink = "user>>>alice@x>>>traffic>>>downlink";
        xray.api.setCounter(downlink, 1000);
        xray.api.corruptNextQueryStats();
        assertThatThrownBy(() -> xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER)))
                .hasMessageContaining("is lost");

        xray.api.setCounter(downlink, 500); // the traffic since
        xray.api.corruptNextQueryStats();
        assertThatThrownBy(() -> xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER)))
                .isInstanceOf(BackendException.class)
                .hasMessageEndingWith("was made without reset, so the core still counts that traffic")
                .hasMessageNotContaining("is lost");
        assertThat(xray.api.counter(downlink)).isEqualTo(500);
        assertThat(LedgerContents.of(xray.context.usage())).isEmpty();

        xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER));

        assertThat(LedgerContents.of(xray.context.usage())).containsExactly(Map.entry("USER alice@x downlink", 500L));
        assertThat(xray.api.counter(downlink)).isZero();
    }

    @Test
    void aStoppedBackendKeepsNoArrayOfItsBigAnswers() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        for (int i = 0; i < 30_000; i++) {
            xray.api.setCounter("user>>>u" + i + "@x>>>traffic>>>uplink", i + 1);
        }
        xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER));
        assertThat(CoreCounters.spareBytes()).as("a drain of 30,000 counters is a big answer")
                .isGreaterThanOrEqualTo(CoreCounters.KEPT_FROM);

        xray.backend.close();

        assertThat(CoreCounters.spareBytes()).isZero();
    }

    @Test
    void aDrainWhoseAnswerArrivesUnreadableSaysThatTheTrafficItHeldIsLost() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);
        xray.api.corruptNextQueryStats();

        assertThatThrownBy(() -> xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER)))
                .isInstanceOf(BackendException.class)
                .hasMessage("the core's API failed on QueryStats: CANCELLED Failed to read message. (the core's"
                        + " QueryStats answer is not valid: field 1 (wire type 7) after 0 counters: a QueryStatsResponse"
                        + " holds only counters.); the core had"
                        + " zeroed the counters it answered with, so the traffic they held since they were last read"
                        + " is lost");
        assertThat(LedgerContents.of(xray.context.usage())).isEmpty();
    }

    @Test
    void anUnreadableAnswerToAReadWithoutResetClaimsNoLoss() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);
        xray.api.corruptNextQueryStats();

        assertThatThrownBy(() -> xray.backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false)))
                .isInstanceOf(BackendException.class).hasMessageContaining("answer is not valid")
                .hasMessageNotContaining("lost");
        assertThat(xray.backend.stats(new StatQuery(StatQuery.Scope.USERS, "", false)))
                .as("the counters are where they were").containsExactly(new Stat("alice@x", "downlink", "traffic", 1000));
    }

    @Test
    void aDrainOfSomeOwnersLeavesTheOthersInTheCore() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);
        xray.api.setCounter("outbound>>>direct>>>traffic>>>downlink", 990);

        xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER));

        assertThat(LedgerContents.of(xray.context.usage())).containsOnlyKeys("USER alice@x downlink");
        assertThat(xray.backend.stats(new StatQuery(StatQuery.Scope.OUTBOUNDS, "", false)))
                .containsExactly(new Stat("direct", "downlink", "traffic", 990));
    }

    @Test
    void anInboundWhoseCounterAUsersQueryMatchesIsHandedOverAsTheInboundsWhenTheQueryResetIt() throws Exception {
        // the core matches "user>>>" anywhere in a name: the inbound tagged "user" is in every users query
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);
        xray.api.setCounter("inbound>>>user>>>traffic>>>downlink", 400);

        List<Stat> polled = xray.backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true));
        xray.api.setCounter("inbound>>>user>>>traffic>>>uplink", 30);
        xray.backend.drainUsage(EnumSet.of(TrafficOwner.USER));

        assertThat(polled).containsExactly(new Stat("alice@x", "downlink", "traffic", 1000));
        assertThat(LedgerContents.of(xray.context.usage())).as("not lost to the reset, not counted as a user's").containsExactly(
                Map.entry("INBOUND user downlink", 400L), Map.entry("INBOUND user uplink", 30L));
    }

    @Test
    void aSingleUsersResetTakesThatUsersCountersOnlyNotThoseOfANameThatContainsIt() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("a", "vless-in")));
        xray.api.setCounter("user>>>a>>>traffic>>>downlink", 10);
        xray.api.setCounter("user>>>v>>>user>>>a>>>traffic>>>downlink", 500);
        xray.api.setCounter("user>>>a>>>traffic>>>downlink>>>x>>>user>>>a>>>traffic>>>uplink", 600);

        List<Stat> a = xray.backend.stats(new StatQuery(StatQuery.Scope.USER, "a", true));

        assertThat(a).containsExactly(new Stat("a", "downlink", "traffic", 10), new Stat("a", "uplink", "traffic", 0));
        assertThat(xray.api.counter("user>>>v>>>user>>>a>>>traffic>>>downlink")).isEqualTo(500);
        assertThat(xray.api.counter("user>>>a>>>traffic>>>downlink>>>x>>>user>>>a>>>traffic>>>uplink")).isEqualTo(600);
        assertThat(xray.api.counter("user>>>a>>>traffic>>>downlink")).isZero();
    }

    @Test
    void anEmailHoldingTheCoresSeparatorIsRefusedByNameAndTheOthersAreApplied() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of());

        assertThatThrownBy(() -> xray.backend.updateUsers(List.of(user("v>>>user>>>a", "vless-in"),
                user("bob@x", "vless-in"))))
                .isInstanceOfSatisfying(UserSyncException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.INVALID_USER);
                    assertThat(e.skipped()).extracting(UserSyncException.SkippedUser::email).containsExactly("v>>>user>>>a");
                })
                .hasMessageContaining("v>>>user>>>a (the email contains \">>>\"")
                .hasMessageContaining("the other users were applied");
        assertThat(xray.api.alters()).extracting(TestingXrayApi.Alter::email).containsExactly("bob@x");
        assertThat(xray.backend.users()).containsOnlyKeys("bob@x");
    }

    @Test
    void singleTargetsTheNodeKnowsAnswerZeroAndTheNodesOwnApiInboundIsNeverRead() throws Exception {
        xray = FakeXrayBackend.start(dir, List.of(user("alice@x", "vless-in")));
        xray.api.setCounter("inbound>>>api>>>traffic>>>uplink", 7);

        assertThat(xray.backend.stats(new StatQuery(StatQuery.Scope.INBOUND, "trojan-in", true)))
                .containsExactly(new Stat("trojan-in", "downlink", "traffic", 0), new Stat("trojan-in", "uplink", "traffic", 0));
        assertThatThrownBy(() -> xray.backend.stats(new StatQuery(StatQuery.Scope.INBOUND, "api", true)))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.NOT_FOUND));
        assertThat(xray.api.counter("inbound>>>api>>>traffic>>>uplink")).isEqualTo(7);
    }

    @Test
    void aNodeWithoutALedgerDrainsNothingSoThePollsStillFindTheTraffic() throws Exception {
        TestingXrayApi api = new TestingXrayApi(true);
        Path core = TestingCoreExecutable.write(dir, "xray", TestingCoreExecutable.XRAY_VERSION);
        Map<String, String> settings = Map.of("XRAY_EXECUTABLE_PATH", core.toString());
        BackendContext older = new NoLedgerContext(new TestingBackendContext(FakeXrayBackend.CONFIG,
                List.of(user("alice@x", "vless-in")), Set.of(), settings, dir));
        try (XrayBackend backend = FakeXrayBackend.create(older, api, settings)) {
            backend.start();
            api.setCounter("user>>>alice@x>>>traffic>>>downlink", 1000);

            backend.drainUsage(UsageDrain.ALL);

            assertThat(api.counter("user>>>alice@x>>>traffic>>>downlink")).isEqualTo(1000);
            assertThat(backend.stats(new StatQuery(StatQuery.Scope.USERS, "", true)))
                    .containsExactly(new Stat("alice@x", "downlink", "traffic", 1000));
        } finally {
            api.close();
        }
    }

    /** A context of a node from before SPI 1.1: {@link BackendContext#usage()} keeps its refusing default. */
    private record NoLedgerContext(TestingBackendContext delegate) implements BackendContext {
        @Override
        public String config() {
            return delegate.config();
        }

        @Override
        public List<User> users() {
            return delegate.users();
        }

        @Override
        public Set<String> excludedInbounds() {
            return delegate.excludedInbounds();
        }

        @Override
        public Map<String, String> settings() {
            return delegate.settings();
        }

        @Override
        public Path workDirectory() {
            return delegate.workDirectory();
        }

        @Override
        public LogSink logSink() {
            return delegate.logSink();
        }
    }
}
