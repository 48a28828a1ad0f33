package io.pgnode.host.rest;

import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pgnode.host.Latencies;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingLogStream;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingRestClient;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log readers that come and go (an operator opening and closing the panel's log view) while the core prints
 * nothing: each one that leaves is let go at once, and none of them keeps the REST API from answering.
 */
class LogReadersTest {

    /** Many more than the node's REST worker threads. */
    private static final int READERS = 3 * RestServer.WORKER_THREADS;

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        rest = node.rest();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackend() {
        rest.start(start("", user("a@x", "in-1")));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // before the fix, the REST API hung here
    void readersThatLeaveWhileTheCoreIsSilentAreLetGoAndEveryRouteStillAnswers() {
        for (int i = 0; i < READERS; i++) {
            try (TestingLogStream logs = rest.logs(i % 2 == 1)) {
                assertThat(logs.status()).isEqualTo(200);
            }
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(node::logReaderCount, count -> count == 0);
        assertThat(rest.info().getStarted()).isTrue();
        assertThat(rest.stats(StatRequest.newBuilder().setType(StatType.UsersStat).build()).getStatsCount()).isOne();
        assertThat(rest.systemStats().getCpuCores()).isPositive();
        rest.stop();
        assertThat(rest.info().getStarted()).isFalse();
        assertThat(rest.start(start("", user("b@x", "in-1"))).getStarted()).isTrue();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void readersThatStayHoldNoWorkerAllGetTheNextLineAndAStopEndsTheirStreams() {
        List<TestingLogStream> readers = new ArrayList<>();
        try {
            for (int i = 0; i < READERS; i++) {
                readers.add(rest.logs(i % 2 == 1));
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(node::logReaderCount, count -> count == READERS);

            // three times as many open streams as workers, and every route still has a worker
            assertThat(rest.info().getStarted()).isTrue();
            assertThat(rest.stats(StatRequest.newBuilder().setType(StatType.UsersStat).build()).getStatsCount())
                    .isOne();
            rest.outboundsLatency(TestingBackendPlugin.say("to everyone"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> readers.stream().allMatch(reader -> reader.lines().contains("to everyone")
                            || reader.lines().contains("data: to everyone")));

            rest.stop();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> readers.stream().allMatch(TestingLogStream::isFinished));
        } finally {
            readers.forEach(TestingLogStream::close);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(node::logReaderCount, count -> count == 0);
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theApiAnswersWhileReadersReconnect() {
        Latencies idle = new Latencies("REST GET /info with no log reader (for comparison)");
        for (int i = 0; i < 200; i++) {
            idle.time(rest::info);
        }
        idle.report();
        Latencies info = new Latencies("REST GET /info while 100 log readers reconnect (plain and SSE)");
        CompletableFuture<Void> reconnects = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 100; i++) {
                try (TestingLogStream logs = rest.logs(i % 2 == 1)) {
                    assertThat(logs.status()).isEqualTo(200);
                }
            }
        });
        while (!reconnects.isDone()) {
            assertThat(info.time(rest::info).getStarted()).isTrue();
        }
        reconnects.join();
        info.report();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(node::logReaderCount, count -> count == 0);
    }

    @Test
    void aReaderThatStaysGetsTheLinesAndKeepsItsStream() {
        try (TestingLogStream plain = rest.logs(false); TestingLogStream events = rest.logs(true)) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(node::logReaderCount, count -> count == 2);

            rest.outboundsLatency(TestingBackendPlugin.say("still here"));

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> plain.lines().contains("still here") && events.lines().contains("data: still here"));
            assertThat(plain.isFinished()).isFalse();
            assertThat(events.isFinished()).isFalse();
        }
    }
}
