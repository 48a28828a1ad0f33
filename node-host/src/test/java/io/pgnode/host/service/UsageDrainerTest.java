package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgnode.spi.TrafficOwner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the background drain runs, on a clock the test moves. */
class UsageDrainerTest {

    private final AtomicLong clock = new AtomicLong();
    private final List<Set<TrafficOwner>> drains = new ArrayList<>();

    @Test
    void ownersAPollCollectedAreNotDrainedUntilAnIntervalPassesWithoutOne() {
        UsageDrainer drainer = new UsageDrainer(Optional.empty(), clock::get);
        advanceSeconds(UsageDrainer.MINIMUM_SECONDS - 1);
        drainer.collected(TrafficOwner.USER);
        advanceSeconds(1);

        drainer.drainDue(owners -> took(owners, 0));

        assertThat(drains).containsExactly(Set.of(TrafficOwner.INBOUND, TrafficOwner.OUTBOUND));
        advanceSeconds(UsageDrainer.MINIMUM_SECONDS - 1);
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains).hasSize(2).last().isEqualTo(Set.of(TrafficOwner.USER));
    }

    @Test
    void theUsersIntervalGrowsWithWhatADrainCostsAndSoDrainsStayNearTwoPercent() {
        UsageDrainer drainer = new UsageDrainer(Optional.empty(), clock::get);
        advanceSeconds(UsageDrainer.MINIMUM_SECONDS);

        drainer.drainDue(owners -> took(owners, TimeUnit.MILLISECONDS.toNanos(400))); // 100,000 users' QueryStats

        assertThat(drainer.interval(TrafficOwner.USER)).isEqualTo(Duration.ofSeconds(20));
        assertThat(drainer.interval(TrafficOwner.OUTBOUND)).isEqualTo(Duration.ofSeconds(UsageDrainer.MINIMUM_SECONDS));
        advanceSeconds(19);
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains.get(drains.size() - 1)).doesNotContain(TrafficOwner.USER);
    }

    @Test
    void aFixedIntervalIsKept() {
        UsageDrainer drainer = new UsageDrainer(Optional.of(Duration.ofSeconds(60)), clock::get);
        advanceSeconds(59);
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains).isEmpty();
        advanceSeconds(1);
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains).containsExactly(Set.of(TrafficOwner.values()));
    }

    @Test
    void theIntervalCountsFromWhenADrainBeganSoASlowDrainDoesNotWidenWhatACrashLoses() {
        UsageDrainer drainer = new UsageDrainer(Optional.of(Duration.ofSeconds(10)), clock::get);
        advanceSeconds(10);
        drainer.drainDue(owners -> {
            advanceSeconds(3); // the drain itself takes 3 s
            return took(owners, TimeUnit.SECONDS.toNanos(3));
        });
        advanceSeconds(6); // 9 s after the first drain began
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains).hasSize(1);

        advanceSeconds(1);
        drainer.drainDue(owners -> took(owners, 0));
        assertThat(drains).hasSize(2);
    }

    private long took(Set<TrafficOwner> owners, long nanos) {
        drains.add(Set.copyOf(owners));
        return nanos;
    }

    private void advanceSeconds(long seconds) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }
}
