package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.journalAfter;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.usage.UsageAccounting;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatResponse;
import io.pgnode.proto.StatType;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's usage ledger seen from the panel: traffic of a backend that is replaced, stopped or outlived by the
 * node's own restart is reported by the next poll, once; a reset answer that does not reach the panel is
 * reported again. The testing backend is a fake core here: it counts the traffic its config names, once.
 */
class UsageThroughNodeTest {

    private static final StatRequest USERS_RESET =
            StatRequest.newBuilder().setType(StatType.UsersStat).setReset(true).build();
    private static final String TRAFFIC = "{\"traffic\": {\"1001\": [10, 20], \"1002\": [0, 5]}}";
    private static final String NO_TRAFFIC = "{\"traffic\": {\"1001\": [0, 0]}}";

    @TempDir Path temp;

    private TestingNode node;

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private TestingNode startNode() {
        node = TestingNode.builder()
                .pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .workingDirectory(temp.resolve("node"))
                .start();
        return node;
    }

    @Test
    void trafficOfABackendReplacedByAnotherConfigIsInTheNextPollOnce() {
        startNode();
        node.rest().start(start(TRAFFIC, user("1001", "in-1")));
        int mark = journal(node).size();

        node.grpc().start(start(NO_TRAFFIC, user("1001", "in-1")));

        assertThat(journalAfter(node, mark)).containsSubsequence("create users=[1001] excluded=[] settings={} "
                + "jackson=plugin host-classes=hidden", "checkConfig", "drain [USER, INBOUND, OUTBOUND]", "close",
                "start tccl=plugin");
        assertThat(byUser(node.rest().stats(USERS_RESET))).isEqualTo(Map.of("1001", List.of(10L, 20L),
                "1002", List.of(0L, 5L)));
        assertThat(byUser(node.grpc().getStats(USERS_RESET))).isEqualTo(Map.of("1001", List.of(0L, 0L)));
    }

    @Test
    void trafficOfAStoppedBackendIsInThePollAfterTheNextStart() {
        startNode();
        node.rest().start(start(TRAFFIC, user("1001", "in-1")));
        node.rest().stop();

        node.rest().start(start(NO_TRAFFIC, user("1001", "in-1")));

        assertThat(byUser(node.rest().stats(USERS_RESET))).isEqualTo(Map.of("1001", List.of(10L, 20L),
                "1002", List.of(0L, 5L)));
        assertThat(byUser(node.rest().stats(USERS_RESET))).isEqualTo(Map.of("1001", List.of(0L, 0L)));
    }

    @Test
    void trafficSurvivesARestartOfTheNodeItself() {
        startNode();
        node.rest().start(start(TRAFFIC, user("1001", "in-1")));
        node.close(); // a clean shutdown collects the core's counters into the ledger's file

        startNode();
        node.rest().start(start(NO_TRAFFIC, user("1001", "in-1")));

        assertThat(byUser(node.grpc().getStats(USERS_RESET))).isEqualTo(Map.of("1001", List.of(10L, 20L),
                "1002", List.of(0L, 5L)));
        assertThat(node.dataDir().resolve("usage.ledger")).exists();
    }

    @Test
    void aRestPollWhoseClientWentAwayIsReportedAgain() throws Exception {
        startNode();
        try (ServerSocket gate = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            node.rest().start(start("{\"traffic\": {\"1001\": [10, 20]}, \"statsGate\": " + gate.getLocalPort() + "}",
                    user("1001", "in-1")));
            try (SSLSocket client = pollWithoutReading(); CapturedLogs logs = CapturedLogs.of(UsageAccounting.class)) {
                try (Socket waiting = gate.accept()) { // the node is reading the counters now
                    client.setSoLinger(true, 0);
                    client.close(); // a reset: the answer cannot be written
                    waiting.getOutputStream().write(1);
                    awaitGiveBack(logs);
                    // the next poll waits at the gate too; let it through
                    CompletableFuture<StatResponse> next = CompletableFuture.supplyAsync(
                            () -> node.grpc().getStats(USERS_RESET));
                    try (Socket second = gate.accept()) {
                        second.getOutputStream().write(1);
                    }
                    assertThat(byUser(next.get(30, TimeUnit.SECONDS))).isEqualTo(Map.of("1001", List.of(10L, 20L)));
                }
            }
        }
    }

    @Test
    void aGrpcPollTheClientCancelledIsReportedAgain() throws Exception {
        startNode();
        try (ServerSocket gate = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                CapturedLogs logs = CapturedLogs.of(UsageAccounting.class)) {
            node.rest().start(start("{\"traffic\": {\"1001\": [10, 20]}, \"statsGate\": " + gate.getLocalPort() + "}",
                    user("1001", "in-1")));
            Context.CancellableContext call = Context.current().withCancellation();
            CompletableFuture<StatResponse> cancelled = CompletableFuture.supplyAsync(() -> {
                Context outer = call.attach();
                try {
                    return node.grpc().getStats(USERS_RESET);
                } finally {
                    call.detach(outer);
                }
            });
            try (Socket waiting = gate.accept()) { // the node is reading the counters now
                call.cancel(null);
                StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, () -> {
                    try {
                        cancelled.join();
                    } catch (java.util.concurrent.CompletionException e) {
                        throw e.getCause();
                    }
                });
                assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
                node.grpc().getBaseInfo(Empty.getDefaultInstance()); // the cancel reached the node before this did
                waiting.getOutputStream().write(1);
            }
            awaitGiveBack(logs);
            CompletableFuture<StatResponse> next = CompletableFuture.supplyAsync(() -> node.rest().stats(USERS_RESET));
            try (Socket second = gate.accept()) {
                second.getOutputStream().write(1);
            }
            assertThat(byUser(next.get(30, TimeUnit.SECONDS))).isEqualTo(Map.of("1001", List.of(10L, 20L)));
        }
    }

    /** The node noticed that the answer did not arrive and put its usage back. */
    private static void awaitGiveBack(CapturedLogs logs) {
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.lines().stream()
                .anyMatch(line -> line.contains("answer with reset did not reach the panel")));
    }

    /** Sends a users poll with reset over a raw TLS connection and does not read the answer. */
    private SSLSocket pollWithoutReading() throws IOException {
        SSLSocket tls = (SSLSocket) TestingNode.trusting(node.certificate()).getSocketFactory()
                .createSocket("127.0.0.1", node.restPort());
        byte[] body = USERS_RESET.toByteArray();
        OutputStream out = tls.getOutputStream();
        out.write(("GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + node.apiKey()
                + "\r\nContent-Type: application/x-protobuf\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return tls;
    }

    /** email → [uplink, downlink] of an answer. */
    private static Map<String, List<Long>> byUser(StatResponse stats) {
        Map<String, long[]> values = new TreeMap<>();
        for (Stat stat : stats.getStatsList()) {
            long[] pair = values.computeIfAbsent(stat.getName(), name -> new long[2]);
            pair[stat.getType().equals("uplink") ? 0 : 1] += stat.getValue();
        }
        Map<String, List<Long>> answer = new TreeMap<>();
        values.forEach((name, pair) -> answer.put(name, List.of(pair[0], pair[1])));
        return answer;
    }
}
