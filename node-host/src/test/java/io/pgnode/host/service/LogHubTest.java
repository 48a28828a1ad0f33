package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LogHubTest {

    private final LogHub hub = new LogHub(3, 0);

    @Test
    void everyReaderGetsEveryLinePublishedAfterItSubscribed() {
        hub.publish("before anyone listened");
        LogSubscription first = hub.subscribe();
        hub.publish("one");
        LogSubscription second = hub.subscribe();
        hub.publish("two");

        assertThat(drain(first)).containsExactly("one", "two");
        assertThat(drain(second)).containsExactly("two");
    }

    @Test
    void aTextWithLineBreaksIsOneLinePerBreak() {
        LogSubscription reader = hub.subscribe();

        hub.publish("first\r\nsecond\nthird");

        assertThat(drain(reader)).containsExactly("first", "second", "third");
    }

    @Test
    void aReaderThatFallsBehindLosesTheOldestLinesOnly() {
        LogSubscription slow = hub.subscribe();
        LogSubscription fast = hub.subscribe();
        List<String> fastLines = new ArrayList<>();

        for (int i = 1; i <= 5; i++) {
            hub.publish("line " + i);
            fastLines.addAll(drain(fast));
        }

        assertThat(drain(slow)).containsExactly("line 3", "line 4", "line 5");
        assertThat(slow.droppedLines()).isEqualTo(2);
        assertThat(fastLines).hasSize(5);
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a guard against a hang, not a measurement
    void publishingNeverWaitsForAReaderThatDoesNotRead() {
        LogSubscription idle = hub.subscribe();

        for (int i = 0; i < 200_000; i++) {
            hub.publish("line " + i); // on this thread: a publish that waited for the reader would never return
        }

        assertThat(drain(idle)).as("the reader keeps the newest lines its buffer holds")
                .containsExactly("line 199997", "line 199998", "line 199999");
        assertThat(idle.droppedLines()).isEqualTo(200_000 - 3);
    }

    @Test
    void endingTheReadersLetsThemDrainAndThenFinish() throws InterruptedException {
        LogSubscription reader = hub.subscribe();
        hub.publish("last words");

        hub.endAll();
        hub.publish("after the end");

        assertThat(reader.isFinished()).isFalse();
        assertThat(reader.take(Duration.ofSeconds(5))).isEqualTo("last words");
        assertThat(reader.take(Duration.ofSeconds(5))).isNull();
        assertThat(reader.isFinished()).isTrue();
        assertThat(hub.readerCount()).isZero();
    }

    @Test
    void takeWaitsForTheNextLineAndGivesUpAfterItsDeadline() throws InterruptedException {
        LogSubscription reader = hub.subscribe();
        Thread publisher = new Thread(() -> hub.publish("late line"));

        assertThat(reader.take(Duration.ofMillis(20))).isNull();
        publisher.start();
        assertThat(reader.take(Duration.ofSeconds(10))).isEqualTo("late line");
        publisher.join();
    }

    @Test
    void aClosedReaderIsDetached() {
        LogSubscription reader = hub.subscribe();

        reader.close();
        hub.publish("nobody hears this");

        assertThat(hub.readerCount()).isZero();
        assertThat(reader.isFinished()).isTrue();
    }

    @Test
    void theListenerHearsEveryLineAndTheEnd() {
        LogSubscription reader = hub.subscribe();
        AtomicInteger changes = new AtomicInteger();
        reader.onChange(changes::incrementAndGet);

        hub.publish("a\nb");
        hub.endAll();

        assertThat(changes).hasValue(4); // once when set, two lines, the end
    }

    private static List<String> drain(LogSubscription subscription) {
        List<String> lines = new ArrayList<>();
        for (String line = subscription.poll(); line != null; line = subscription.poll()) {
            lines.add(line);
        }
        return lines;
    }
}
