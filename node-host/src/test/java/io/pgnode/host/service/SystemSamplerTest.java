package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import oshi.hardware.CentralProcessor.TickType;

class SystemSamplerTest {

    @Test
    void ratesAreCounterGrowthPerSecond() {
        assertThat(SystemSampler.perSecond(1_000, 5_000, 2_000_000_000L)).isEqualTo(2_000);
        assertThat(SystemSampler.perSecond(1_000, 1_500, 500_000_000L)).isEqualTo(1_000);
    }

    @Test
    void aCounterThatWentBackwardsGivesZeroNotANegativeRate() {
        assertThat(SystemSampler.perSecond(5_000, 1_000, 2_000_000_000L)).isZero();
        assertThat(SystemSampler.perSecond(1_000, 2_000, 0)).isZero();
    }

    @Test
    void cpuUseIsTheBusyShareOfTheTicksBetweenTwoSamples() {
        long[] before = new long[TickType.values().length];
        long[] after = new long[TickType.values().length];
        after[TickType.USER.getIndex()] = 30;
        after[TickType.SYSTEM.getIndex()] = 10;
        after[TickType.IDLE.getIndex()] = 50;
        after[TickType.IOWAIT.getIndex()] = 10;

        assertThat(SystemSampler.cpuPercent(before, after)).isEqualTo(40.0);
        assertThat(SystemSampler.cpuPercent(after, after)).isZero();
    }

    @Test
    void samplesThisMachinePlausibly() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (SystemSampler sampler = SystemSampler.start(Duration.ofMillis(100), scheduler)) {
            SystemSnapshot first = sampler.latest();
            assertThat(first.cpuCores()).isPositive();
            assertThat(first.memTotal()).isGreaterThan(first.memUsed());
            assertThat(first.memUsed()).isPositive();
            assertThat(first.uptimeSeconds()).isPositive();

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> sampler.latest() != first);
            SystemSnapshot next = sampler.latest();
            assertThat(next.cpuUsage()).isBetween(0.0, 100.0);
            assertThat(next.incomingBytesPerSecond()).isNotNegative();
            assertThat(next.outgoingBytesPerSecond()).isNotNegative();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
