package io.pgnode.host;

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
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a Start does to the backend that runs: attach when it asks for the same core, refuse a config the core
 * rejects before touching it, bring it back when the new one fails; and the words the panel's health check
 * looks for.
 */
class StartSequenceTest {

    private static final String CONFIG = "{\"coreVersion\": \"1.0.0-a\", \"suspendable\": true, "
            + "\"startLogLines\": [\"first line\", \"second line\"]}";

    @TempDir static Path temp;

    private static TestingNode node;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackend() {
        node.rest().start(start(CONFIG, user("a@x", "in-1")));
    }

    @Test
    void aStartWithTheSameConfigAsJsonAttachesToTheRunningCore() {
        int mark = journal(node).size();
        try (TestingLogStream logs = node.rest().logs(false)) {
            // the same JSON: other key order, spacing and a comment
            String same = "{ \"startLogLines\": [\"first line\", \"second line\"], /* same */ \"suspendable\": true,"
                    + " \"coreVersion\": \"1.0.0-a\" }";

            BaseInfoResponse info = node.grpc().start(start(same, user("a@x", "in-1"), user("b@x", "in-1")));

            assertThat(info.getStarted()).isTrue();
            assertThat(info.getCoreVersion()).isEqualTo("1.0.0-a");
            assertThat(journalAfter(node, mark)).as("no new backend, no restart").containsExactly("replaceUsers [a@x, b@x]");
            assertThat(logs.isFinished()).as("the core's log stream goes on").isFalse();
        }
    }

    @Test
    void otherExcludedInboundsAreAnotherCore() {
        int mark = journal(node).size();

        node.rest().start(start(CONFIG, user("a@x", "in-1")).toBuilder().addExcludeInbounds("in-2").build());

        assertThat(journalAfter(node, mark)).contains("suspend", "close").doesNotContain("replaceUsers [a@x]");
    }

    @Test
    void aConfigTheNewCoreRejectsLeavesTheRunningBackendServing() {
        int mark = journal(node).size();

        TestingRestClient.Response refused = node.rest().call("POST", "/start",
                start("{\"fail\": {\"checkConfig\": \"INVALID_CONFIG\"}}", user("a@x", "in-1")));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.errorCode()).isEqualTo("INVALID_CONFIG");
        assertThat(refused.errorMessage()).isEqualTo("testing backend refused checkConfig");
        assertThat(journalAfter(node, mark)).endsWith("checkConfig", "close"); // the refused backend's close
        assertThat(journalAfter(node, mark)).doesNotContain("suspend", "drain [USER, INBOUND, OUTBOUND]");
        assertThat(node.rest().info().getStarted()).isTrue();
        assertThat(node.rest().info().getCoreVersion()).isEqualTo("1.0.0-a");
    }

    @Test
    void aNewBackendThatFailsToStartBringsThePreviousOneBack() {
        int mark = journal(node).size();

        StatusRuntimeException failed = catchThrowableOfType(StatusRuntimeException.class, () -> node.grpc()
                .start(start("{\"coreVersion\": \"2.0.0\", \"fail\": {\"start\": \"FAILURE\"}}", user("a@x", "in-1"))));

        assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(failed.getStatus().getDescription()).isEqualTo("testing backend refused start (The previous backend "
                + "was brought back with its users and keeps serving.)");
        assertThat(journalAfter(node, mark)).containsSubsequence("checkConfig", "drain [USER, INBOUND, OUTBOUND]",
                "suspend", "start tccl=plugin", "close", "resume");
        BaseInfoResponse info = node.grpc().getBaseInfo(Empty.getDefaultInstance());
        assertThat(info.getStarted()).isTrue();
        assertThat(info.getCoreVersion()).isEqualTo("1.0.0-a");
    }

    @Test
    void whenThePreviousBackendCannotComeBackTheAnswerSaysThatNoneRuns() {
        node.rest().start(start("{\"suspendable\": true, \"fail\": {\"resume\": \"FAILURE\"}}", user("a@x", "in-1")));

        TestingRestClient.Response failed = node.rest().call("POST", "/start",
                start("{\"fail\": {\"start\": \"FAILURE\"}}", user("a@x", "in-1")));

        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.errorMessage()).isEqualTo("testing backend refused start (Bringing the previous backend back "
                + "failed too: testing backend refused resume; no backend runs.)");
        assertThat(node.rest().info().getStarted()).isFalse();
    }

    @Test
    void aNewLogReaderFirstGetsTheCoresLastLines() {
        try (TestingLogStream logs = node.rest().logs(false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> logs.lines().size() >= 2);
            assertThat(logs.lines()).startsWith("first line", "second line");
        }
    }

    @Test
    void healthChecksBeforeStartCarryThePhrasesThePanelMatches() {
        node.rest().stop();

        TestingRestClient.Response rest = node.rest().call("GET", "/stats/backend", new byte[0]);
        StatusRuntimeException grpc = catchThrowableOfType(StatusRuntimeException.class,
                () -> node.grpc().getBackendStats(Empty.getDefaultInstance()));

        assertThat(rest.status()).isEqualTo(503);
        assertThat(rest.errorMessage()).contains("core is not started yet").contains("failed to get sys stats");
        assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(grpc.getStatus().getDescription()).contains("core is not started yet")
                .contains("failed to get sys stats");
        assertThat(grpc.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("BACKEND_NOT_STARTED");
        TestingRestClient.Response chunked = node.rest().callChunked("/users/sync/chunked", new byte[] {7, 1, 2});
        assertThat(chunked.status()).as("a chunked upload before Start is 503, whatever it carries").isEqualTo(503);
        assertThat(chunked.errorMessage()).contains("core is not started yet");
    }

    @Test
    void aFailingHealthCheckOfARunningBackendSaysFailedToGetSysStats() {
        node.rest().start(start("{\"fail\": {\"runtimeStats\": \"FAILURE\"}}", user("a@x", "in-1")));

        TestingRestClient.Response rest = node.rest().call("GET", "/stats/backend", new byte[0]);
        StatusRuntimeException grpc = catchThrowableOfType(StatusRuntimeException.class,
                () -> node.grpc().getBackendStats(Empty.getDefaultInstance()));

        assertThat(rest.status()).isEqualTo(500);
        assertThat(rest.errorMessage()).isEqualTo("failed to get sys stats: testing backend refused runtimeStats");
        assertThat(grpc.getStatus().getDescription()).isEqualTo(rest.errorMessage());
    }
}
