package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeapTrimTest {

    private final AtomicInteger collections = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger quietAsked = new AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final HeapTrim trim = new HeapTrim(collections::incrementAndGet, Duration.ofMillis(50), scheduler, () -> {
        quietAsked.incrementAndGet();
        return !busy.get();
    });

    @AfterEach
    void close() {
        scheduler.shutdownNow();
    }

    @Test
    void aBigUserSetIsFollowedByOneCollection() {
        trim.afterUsers(HeapTrim.BURST_USERS);

        await().atMost(Duration.ofSeconds(5)).until(() -> collections.get() == 1);
    }

    @Test
    void aBurstOfRequestsAsksOnceAndALaterOneAgain() {
        trim.afterUsers(100_000);
        trim.afterStop();
        trim.afterUsers(50_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> collections.get() >= 1);
        assertThat(collections.get()).isEqualTo(1);

        trim.afterStop();
        await().atMost(Duration.ofSeconds(5)).until(() -> collections.get() == 2);
    }

    @Test
    void smallRequestsAskForNothing() {
        trim.afterUsers(HeapTrim.BURST_USERS - 1);
        trim.afterStop();  // a marker that the timer has run everything scheduled before it

        await().atMost(Duration.ofSeconds(5)).until(() -> collections.get() == 1);
        assertThat(collections.get()).as("only the stop asked").isEqualTo(1);
    }

    @Test
    void theCollectionsWaitWhileTheNodeServesARequestAndRunOnceItIsQuiet() {
        busy.set(true);
        trim.afterUsers(100_000);

        await().atMost(Duration.ofSeconds(5)).until(() -> quietAsked.get() >= 3);
        assertThat(collections.get()).as("asked three times while busy").isZero();

        busy.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> collections.get() == 1);
    }

    @Test
    void aNodeThatNeverGetsQuietIsCollectedAfterTheLastPostponement() {
        HeapTrim impatient = new HeapTrim(collections::incrementAndGet, Duration.ofMillis(1), scheduler, () -> {
            quietAsked.incrementAndGet();
            return false;
        });
        impatient.afterStop();

        await().atMost(Duration.ofSeconds(30)).until(() -> collections.get() == 1);
        assertThat(quietAsked.get()).isEqualTo(HeapTrim.MAX_POSTPONED);
    }
}
