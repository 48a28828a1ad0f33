package io.pgnode.host.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestActivityTest {

    private static final Duration QUIET = Duration.ofSeconds(1);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RequestActivity requests = new RequestActivity(clock::get);

    private void advance(Duration by) {
        clock.addAndGet(by.toNanos());
    }

    @Test
    void aNodeThatServesNothingIsQuietOnceTheQuietTimePassed() {
        assertThat(requests.isQuietFor(QUIET)).isFalse();
        advance(QUIET);
        assertThat(requests.isQuietFor(QUIET)).isTrue();
    }

    @Test
    void aRequestBeingServedIsNeverQuietAndItsEndStartsTheQuietTime() {
        advance(QUIET);
        Runnable end = requests.begin();
        advance(Duration.ofMinutes(10));
        assertThat(requests.isQuietFor(QUIET)).isFalse();
        assertThat(requests.serving()).isOne();

        end.run();
        assertThat(requests.serving()).isZero();
        assertThat(requests.isQuietFor(QUIET)).isFalse();
        advance(QUIET);
        assertThat(requests.isQuietFor(QUIET)).isTrue();
    }

    @Test
    void endingARequestTwiceEndsItOnce() {
        Runnable first = requests.begin();
        Runnable second = requests.begin();
        first.run();
        first.run();
        assertThat(requests.serving()).isOne();
        second.run();
        assertThat(requests.serving()).isZero();
    }
}
