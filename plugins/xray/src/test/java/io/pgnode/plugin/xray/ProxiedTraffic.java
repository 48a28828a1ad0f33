package io.pgnode.plugin.xray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Judges what a user's routes through the server under test get, by what the core did, never by how long
 * nothing happened: <em>served</em> is the whole body delivered; <em>refused</em> is the connection closed by
 * the core and the core's own access line naming the refusal ({@code 127.1.0.7:41234 rejected
 * v2ray.com/core/proxy/vless/encoding: invalid request user id}). A fetch that gets no answer within
 * {@link TestingV2rayClient#PATIENCE} is neither and fails both checks. The core's config needs a {@code log}
 * section (v2ray writes no access lines without one), as {@link TestingServerInbounds#panelConfig()} has.
 */
final class ProxiedTraffic {

    /** How long the core's rejection line may take to reach the log the test reads (it is written at once). */
    private static final Duration REJECTION_LINE = Duration.ofSeconds(10);

    private final TestingV2rayClient client;
    private final int httpPort;
    private final int bytes;
    private final Supplier<List<String>> coreLog;

    /**
     * @param bytes the body size each fetch asks for
     * @param coreLog every line the server core printed so far, in order, as the test can read them (the
     *     backend's log sink, or a log stream of the node)
     */
    ProxiedTraffic(TestingV2rayClient client, TestingHttpServer http, int bytes, Supplier<List<String>> coreLog) {
        this.client = client;
        this.httpPort = http.port();
        this.bytes = bytes;
        this.coreLog = coreLog;
    }

    /** Every protocol of {@link TestingServerInbounds} carries the user's traffic with these credentials. */
    void assertServed(String email, String generation) {
        everyProtocol(email, generation, this::assertServed);
    }

    /** No protocol of {@link TestingServerInbounds} carries the user's traffic with these credentials. */
    void assertRefused(String email, String generation) {
        everyProtocol(email, generation, this::assertRefused);
    }

    /** The route delivers the whole body. */
    void assertServed(String route) {
        int mark = coreLog.get().size();
        Socks5Fetch.Outcome outcome = client.fetch(route, httpPort, bytes);
        assertThat(outcome.delivered())
                .as("%s served: got %s; the core's lines about it (from %s): %s; its last lines: %s;"
                        + " the client's lines about it: %s; the client's problems: %s", route, outcome,
                        client.sourceAddress(route), linesAbout(route, mark), lastLines(mark), client.linesAbout(route),
                        client.problems())
                .isTrue();
    }

    /** The core closes the route's connection and says in its log that it rejected it. */
    void assertRefused(String route) {
        int mark = coreLog.get().size();
        Socks5Fetch.Outcome outcome = client.fetch(route, httpPort, bytes);
        assertThat(outcome.closed()).as("%s refused: the core closes the connection, got %s; the core's lines about it"
                + " (from %s): %s", route, outcome, client.sourceAddress(route), linesAbout(route, mark)).isTrue();
        await("the core's rejection line for " + route).atMost(REJECTION_LINE).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(linesAbout(route, mark))
                        .as("the core's lines about %s (from %s) since the fetch; its last lines: %s;"
                                + " the client's lines about it: %s", route, client.sourceAddress(route), lastLines(mark),
                                client.linesAbout(route))
                        .anyMatch(line -> line.contains(" rejected ")));
    }

    /** The core's lines since {@code mark} about connections from the route's own source address. */
    private List<String> linesAbout(String route, int mark) {
        String from = " " + client.sourceAddress(route) + ":";
        List<String> lines = coreLog.get();
        return lines.subList(Math.min(mark, lines.size()), lines.size()).stream()
                .filter(line -> line.contains(from))
                .toList();
    }

    /** At most the last 20 lines the core printed since {@code mark}, for assertion messages. */
    private List<String> lastLines(int mark) {
        List<String> lines = coreLog.get();
        return lines.subList(Math.max(Math.min(mark, lines.size()), lines.size() - 20), lines.size());
    }

    /** Checks the user's route of each protocol, all at once; reports every route that failed. */
    private static void everyProtocol(String email, String generation, Consumer<String> check) {
        List<CompletableFuture<Void>> checks = new ArrayList<>();
        for (String protocol : TestingServerInbounds.PROTOCOLS) {
            String route = TestingServerInbounds.route(email, generation, protocol);
            checks.add(CompletableFuture.runAsync(() -> check.accept(route)));
        }
        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<Void> one : checks) {
            try {
                one.join();
            } catch (CompletionException e) {
                failures.add(e.getCause());
            }
        }
        if (!failures.isEmpty()) {
            AssertionError error = new AssertionError(failures.stream().map(Throwable::getMessage)
                    .reduce((a, b) -> a + "\n" + b).orElseThrow());
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }
}
