package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.journalAfter;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pgnode.host.grpc.GrpcErrors;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.Log;
import io.pgnode.proto.NodeServiceGrpc.NodeServiceBlockingStub;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.Users;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who owns the backend and for how long: 503 without one, takeover, keepAlive. */
class SessionTest {

    private static final String[][] BACKEND_ROUTES = {
        {"PUT", "/stop"}, {"GET", "/logs"}, {"GET", "/stats"}, {"GET", "/stats/"}, {"GET", "/stats/latency"},
        {"GET", "/stats/user/online"}, {"GET", "/stats/user/online_ip"}, {"GET", "/stats/backend"},
        {"GET", "/stats/system"}, {"PUT", "/user/sync"}, {"PUT", "/users/sync"},
    };

    @TempDir static Path temp;

    /** The node's keepAlive clock: the tests move it instead of waiting. */
    private static final TestingNanoClock clock = new TestingNanoClock();
    private static TestingNode node;
    private static TestingRestClient rest;
    private static NodeServiceBlockingStub grpc;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).nanoClock(clock).start();
        rest = node.rest();
        grpc = node.grpc();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void backendRoutesAre503BeforeStartAndAfterStop() {
        assertEveryBackendRouteUnavailable();

        rest.start(start("", user("a@x", "in-1")));
        assertThat(rest.stats(StatRequest.getDefaultInstance()).getStatsCount()).isEqualTo(1);
        grpc.stop(Empty.getDefaultInstance());

        assertEveryBackendRouteUnavailable();
        assertThat(rest.info().getStarted()).isFalse();
        assertThat(grpc.getBaseInfo(Empty.getDefaultInstance()).getNodeVersion()).isEqualTo("1.0.0");
    }

    @Test
    void aStartFromAnotherClientTakesOver() {
        rest.start(start("", user("first@x", "in-1")));
        int mark = journal(node).size();

        grpc.start(start("{\"coreVersion\": \"2.0.0\"}", user("second@x", "in-1")));

        List<String> entries = journalAfter(node, mark);
        assertThat(entries.get(0)).startsWith("create users=[second@x]");
        // the new config is checked, the running core's usage collected, then it stops and the new one starts
        assertThat(entries.subList(1, entries.size()))
                .containsExactly("checkConfig", "drain [USER, INBOUND, OUTBOUND]", "close", "start tccl=plugin");
        // the first client is not locked out: it now talks to the new backend
        assertThat(emails(rest.stats(TestingBackendPlugin.ALL_USERS))).containsExactly("second@x");
        rest.stop();
    }

    @Test
    void keepAliveStopsABackendNobodyAsksAbout() {
        grpc.start(start("", user("a@x", "in-1")).toBuilder().setKeepAlive(1).build());
        int mark = journal(node).size();

        // no request may reach the node from here on: that would keep the backend alive
        clock.advance(Duration.ofMillis(999));
        awaitKeepAliveChecks();
        assertThat(journalAfter(node, mark)).as("idle for less than keep_alive").doesNotContain("close");

        clock.advance(Duration.ofMillis(1));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> journalAfter(node, mark).contains("close"));
        assertThat(rest.info().getStarted()).isFalse();
    }

    @Test
    void requestsKeepTheBackendAlive() {
        rest.start(start("").toBuilder().setKeepAlive(1).build());
        int mark = journal(node).size();

        // each request is an authenticated call; the backend outlives its keep_alive several times over
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(600));
            awaitKeepAliveChecks();
            assertThat(rest.info().getStarted()).as("alive after %d ms of requests", 600 * (i + 1)).isTrue();
        }
        assertThat(journalAfter(node, mark)).doesNotContain("close");

        clock.advance(Duration.ofSeconds(1)); // and with no request for keep_alive it stops
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> journalAfter(node, mark).contains("close"));
    }

    /**
     * Waits until the node's keepAlive check (every 250 ms) has read the clock three times since now: the runs
     * before the last one are complete. While the clock stands still every run decides alike, and a run that
     * stops the backend reads it twice and then no run reads it again, so a third read means none stopped it.
     */
    private static void awaitKeepAliveChecks() {
        long seen = clock.readsBy("stopIfIdle");
        await("the keepAlive check ran").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> clock.readsBy("stopIfIdle") >= seen + 3);
    }

    private static void assertEveryBackendRouteUnavailable() {
        for (String[] route : BACKEND_ROUTES) {
            TestingRestClient.Response response = rest.call(route[0], route[1], new byte[0]);
            assertThat(response.status()).as("%s %s", route[0], route[1]).isEqualTo(503);
            assertThat(response.errorCode()).isEqualTo("BACKEND_NOT_STARTED");
        }
        assertThat(rest.callChunked("/users/sync/chunked", frameOfEmptyLastChunk()).status()).isEqualTo(503);
        for (Runnable rpc : List.<Runnable>of(
                () -> grpc.stop(Empty.getDefaultInstance()),
                () -> grpc.getStats(StatRequest.getDefaultInstance()),
                () -> grpc.getOutboundsLatency(LatencyRequest.getDefaultInstance()),
                () -> grpc.getUserOnlineStats(StatRequest.newBuilder().setName("a@x").build()),
                () -> grpc.getUserOnlineIpListStats(StatRequest.newBuilder().setName("a@x").build()),
                () -> grpc.getBackendStats(Empty.getDefaultInstance()),
                () -> grpc.getSystemStats(Empty.getDefaultInstance()),
                () -> grpc.syncUsers(Users.getDefaultInstance()),
                () -> grpc.getLogs(Empty.getDefaultInstance()).forEachRemaining(Log::getDetail))) {
            StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, rpc::run);
            assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(error.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("BACKEND_NOT_STARTED");
        }
    }

    private static byte[] frameOfEmptyLastChunk() {
        return new byte[] {2, 0x18, 0x01}; // length 2, field 3 (last) = true
    }
}
