package io.pgnode.host.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pgnode.host.error.ErrorCode;
import io.pgnode.host.error.NodeException;
import io.pgnode.spi.Stat;
import io.pgnode.spi.StatQuery;
import io.pgnode.spi.TrafficOwner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ledger plus live counters, exactly once, against a fake core whose counters reset as a core's do. */
class UsageAccountingTest {

    @TempDir Path dataDir;

    private UsageAccounting accounting;
    private FakeCore core;

    @BeforeEach
    void startEmpty() {
        LedgerFile file = new LedgerFile(dataDir);
        accounting = new UsageAccounting(file.load(), file);
        core = new FakeCore(accounting.ledger());
    }

    @Test
    void aResetAnswerHoldsTheCoreAndTheLedgerAndTakesBothOut() {
        core.count("a", Stat.UPLINK, 10);
        accounting.drain(core::drain, UsageAccounting.ALL); // 10 into the ledger
        core.count("a", Stat.UPLINK, 5);
        core.count("b", Stat.DOWNLINK, 3);
        accounting.ledger().add(TrafficOwner.USER, "gone", Stat.DOWNLINK, 4); // a removed user's drained traffic

        List<Stat> first = answer(accounting, new StatQuery(StatQuery.Scope.USERS, "", true));
        List<Stat> second = answer(accounting, new StatQuery(StatQuery.Scope.USERS, "", true));

        assertThat(first).containsExactlyInAnyOrder(stat("a", Stat.UPLINK, 15), stat("b", Stat.DOWNLINK, 3),
                stat("gone", Stat.DOWNLINK, 4));
        assertThat(second).allSatisfy(stat -> assertThat(stat.value()).isZero());
        assertThat(new LedgerFile(dataDir).load().holds(TrafficOwner.USER)).as("on disk before the answer goes out")
                .isFalse();
    }

    @Test
    void anAnswerWithoutResetChangesNothing() {
        core.count("a", Stat.UPLINK, 10);
        accounting.drain(core::drain, UsageAccounting.ALL);
        core.count("a", Stat.UPLINK, 5);

        List<Stat> peek = answer(accounting, new StatQuery(StatQuery.Scope.USERS, "", false));
        List<Stat> reset = answer(accounting, new StatQuery(StatQuery.Scope.USERS, "", true));

        assertThat(peek).containsExactly(stat("a", Stat.UPLINK, 15));
        assertThat(reset).containsExactly(stat("a", Stat.UPLINK, 15));
    }

    @Test
    void aSingleTargetAnswersBothDirectionsAndALedgerOnlyTargetIsNotUnknown() {
        core.count("a", Stat.UPLINK, 2);
        accounting.ledger().add(TrafficOwner.USER, "removed", Stat.UPLINK, 9);

        assertThat(answer(accounting, new StatQuery(StatQuery.Scope.USER, "a", true)))
                .containsExactly(stat("a", Stat.DOWNLINK, 0), stat("a", Stat.UPLINK, 2));
        assertThat(answer(accounting, new StatQuery(StatQuery.Scope.USER, "removed", true)))
                .containsExactly(stat("removed", Stat.DOWNLINK, 0), stat("removed", Stat.UPLINK, 9));
        assertThatThrownBy(() -> answer(accounting, new StatQuery(StatQuery.Scope.USER, "removed", true)))
                .isInstanceOfSatisfying(NodeException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void anUndeliveredResetAnswerIsReportedAgainOnce() {
        core.count("a", Stat.UPLINK, 10);
        StatQuery poll = new StatQuery(StatQuery.Scope.USERS, "", true);
        List<Stat> lost = answer(accounting, poll);

        accounting.giveBack(poll, lost);
        core.count("a", Stat.UPLINK, 1);

        assertThat(answer(accounting, poll)).containsExactly(stat("a", Stat.UPLINK, 11));
        assertThat(answer(accounting, poll)).containsExactly(stat("a", Stat.UPLINK, 0));
    }

    @Test
    void givenBackTrafficSurvivesTheProcess() {
        StatQuery poll = new StatQuery(StatQuery.Scope.OUTBOUNDS, "", true);
        accounting.giveBack(poll, List.of(stat("direct", Stat.DOWNLINK, 42)));

        UsageLedger next = new LedgerFile(dataDir).load();

        assertThat(next.peek(TrafficOwner.OUTBOUND, "direct", Stat.DOWNLINK)).isEqualTo(42);
    }

    @Test
    void concurrentDrainsAndResetPollsCountEveryByteOnce() throws InterruptedException {
        StatQuery poll = new StatQuery(StatQuery.Scope.USERS, "", true);
        long[] reported = new long[1];
        Thread poller = new Thread(() -> {
            for (int i = 0; i < 2_000; i++) {
                answer(accounting, poll).forEach(stat -> reported[0] += stat.value());
            }
        });
        Thread drainer = new Thread(() -> {
            for (int i = 0; i < 2_000; i++) {
                accounting.drain(core::drain, UsageAccounting.ALL);
            }
        });
        poller.start();
        drainer.start();
        long counted = 0;
        for (int i = 0; i < 20_000; i++) {
            core.count("u" + (i % 7), i % 2 == 0 ? Stat.UPLINK : Stat.DOWNLINK, 3);
            counted += 3;
        }
        poller.join(60_000);
        drainer.join(60_000);
        answer(accounting, poll).forEach(stat -> reported[0] += stat.value());

        assertThat(reported[0]).isEqualTo(counted);
    }

    @Test
    void anAnswerDuringADrainSeesTheBytesThatAreBetweenTheCoreAndTheLedger() throws Exception {
        core.count("a", Stat.DOWNLINK, 100);
        CountDownLatch takenFromTheCore = new CountDownLatch(1);
        CountDownLatch handOver = new CountDownLatch(1);
        Thread drainer = new Thread(() -> accounting.drain(owners -> {
            Map<String, Long> taken = core.takeAll(); // the core's counters are zero from here on
            takenFromTheCore.countDown();
            await(handOver);
            taken.forEach((email, bytes) -> accounting.ledger().add(TrafficOwner.USER, email, Stat.DOWNLINK, bytes));
        }, UsageAccounting.ALL), "drainer");
        drainer.start();
        await(takenFromTheCore);
        CompletableFuture<List<Stat>> peek = new CompletableFuture<>();
        Thread answerer = new Thread(() -> peek.complete(answer(accounting,
                new StatQuery(StatQuery.Scope.USERS, "", false))), "answerer");
        answerer.start();
        // the answer's only wait is the accounting's lock (the fake core's monitor would be BLOCKED, not WAITING)
        Awaitility.await("the answer is back, or waits for the drain").atMost(Duration.ofSeconds(10))
                .until(() -> peek.isDone() || answerer.getState() == Thread.State.WAITING);

        handOver.countDown();

        assertThat(peek.get(10, TimeUnit.SECONDS)).as("not zero: the bytes were on their way to the ledger")
                .containsExactly(stat("a", Stat.DOWNLINK, 100));
        drainer.join(10_000);
        answerer.join(10_000);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the other thread did not get there");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<Stat> answer(UsageAccounting accounting, StatQuery query) {
        List<Stat> answer = new ArrayList<>();
        accounting.answer(core::stats, query, answer::add);
        return answer;
    }

    private static Stat stat(String name, String direction, long value) {
        return new Stat(name, direction, Stat.TRAFFIC, value);
    }

    /** Users' counters as a core keeps them: read with or without reset, drained into the ledger. */
    private static final class FakeCore {
        private final Map<String, Long> counters = new HashMap<>();
        private final UsageLedger ledger;

        FakeCore(UsageLedger ledger) {
            this.ledger = ledger;
        }

        synchronized void count(String email, String direction, long bytes) {
            counters.merge(email + "/" + direction, bytes, Long::sum);
        }

        synchronized void stats(StatQuery query, Consumer<Stat> sink) {
            if (query.scope().isSingle()) {
                if (!counters.containsKey(query.name() + "/" + Stat.UPLINK)
                        && !counters.containsKey(query.name() + "/" + Stat.DOWNLINK)) {
                    throw new NodeException(ErrorCode.NOT_FOUND, "no counters for " + query.name());
                }
                for (String direction : UsageLedger.DIRECTIONS) {
                    String key = query.name() + "/" + direction;
                    sink.accept(stat(query.name(), direction, read(key, query.reset())));
                }
                return;
            }
            for (String key : new ArrayList<>(counters.keySet())) {
                String[] parts = key.split("/");
                sink.accept(stat(parts[0], parts[1], read(key, query.reset())));
            }
        }

        private long read(String key, boolean reset) {
            Long value = counters.get(key);
            if (value == null) {
                return 0;
            }
            if (reset) {
                counters.put(key, 0L);
            }
            return value;
        }

        /** Reads every downlink counter with reset, as a drain's QueryStats does: email → bytes. */
        synchronized Map<String, Long> takeAll() {
            Map<String, Long> taken = new HashMap<>();
            counters.forEach((key, value) -> taken.put(key.split("/")[0], value));
            counters.replaceAll((key, value) -> 0L);
            return taken;
        }

        synchronized void drain(Set<TrafficOwner> owners) {
            counters.forEach((key, value) -> {
                String[] parts = key.split("/");
                ledger.add(TrafficOwner.USER, parts[0], parts[1], value);
            });
            counters.replaceAll((key, value) -> 0L);
        }
    }
}
