package io.pgnode.host.grpc;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.chunk;
import static io.pgnode.host.TestingBackendPlugin.emails;
import static io.pgnode.host.TestingBackendPlugin.journal;
import static io.pgnode.host.TestingBackendPlugin.journaledProxies;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pgnode.host.TestingBackendPlugin;
import io.pgnode.host.TestingNode;
import io.pgnode.host.TestingStreamObserver;
import io.pgnode.proto.Backend;
import io.pgnode.proto.BaseInfoResponse;
import io.pgnode.proto.Empty;
import io.pgnode.proto.LatencyRequest;
import io.pgnode.proto.Log;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.Stat;
import io.pgnode.proto.StatRequest;
import io.pgnode.proto.StatType;
import io.pgnode.proto.SystemStatsResponse;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every RPC over TLS with real grpc-java stubs, against a node running the testing plugin. */
class GrpcApiTest {

    @TempDir static Path temp;

    private static TestingNode node;
    private static NodeServiceGrpc.NodeServiceBlockingStub grpc;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        grpc = node.grpc();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startTheBackendWithTwoUsers() {
        grpc.start(start("", user("a@x", "in-1"), user("b@x", "in-1", "in-2")));
    }

    @Test
    void startAndBaseInfo() {
        BaseInfoResponse started = grpc.start(start("{\"coreVersion\": \"3.2.1\"}"));

        BaseInfoResponse expected = BaseInfoResponse.newBuilder()
                .setStarted(true).setCoreVersion("3.2.1").setNodeVersion("1.0.0").setCoreType("testing").build();
        assertThat(started).isEqualTo(expected);
        assertThat(grpc.getBaseInfo(Empty.getDefaultInstance())).isEqualTo(expected);
    }

    @Test
    void stopEndsTheBackend() {
        assertThat(grpc.stop(Empty.getDefaultInstance())).isEqualTo(Empty.getDefaultInstance());

        assertThat(grpc.getBaseInfo(Empty.getDefaultInstance()).getStarted()).isFalse();
        assertThat(journal(node)).last().isEqualTo("close");
    }

    @Test
    void statsOnlineLatencyAndBackendStats() {
        assertThat(grpc.getStats(StatRequest.newBuilder().setType(StatType.UsersStat).build()).getStatsList())
                .extracting(Stat::getName, Stat::getValue)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a@x", 100L),
                        org.assertj.core.groups.Tuple.tuple("b@x", 200L));
        StatRequest b = StatRequest.newBuilder().setName("b@x").build();
        assertThat(grpc.getUserOnlineStats(b).getValue()).isEqualTo(2);
        assertThat(grpc.getUserOnlineIpListStats(b).getIpsMap()).containsOnlyKeys("10.0.0.1", "10.0.0.2");
        assertThat(grpc.getOutboundsLatency(LatencyRequest.getDefaultInstance()).getLatencies(0).getName())
                .isEqualTo("direct");
        assertThat(grpc.getBackendStats(Empty.getDefaultInstance()).getNumGoroutine()).isEqualTo(2);
        SystemStatsResponse system = grpc.getSystemStats(Empty.getDefaultInstance());
        assertThat(system.getCpuCores()).isPositive();
        assertThat(system.getMemTotal()).isGreaterThan(system.getMemUsed());
        assertThat(system.getMemUsed()).isPositive();
    }

    @Test
    void syncUserStreamAppliesEachUserAsItArrives() {
        TestingStreamObserver<Empty> answer = new TestingStreamObserver<>();
        StreamObserver<User> stream = node.grpcAsync().syncUser(answer);

        stream.onNext(user("c@x", "in-2"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> journal(node).contains("syncUser c@x inbounds=[in-2] " + journaledProxies("c@x")));
        stream.onNext(user("a@x"));
        stream.onCompleted();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(answer::isDone);
        assertThat(answer.isCompleted()).isTrue();
        assertThat(userEmails()).containsExactly("b@x", "c@x");
    }

    @Test
    void syncUsersReplacesTheSet() {
        grpc.syncUsers(Users.newBuilder().addUsers(user("z@x", "in-1")).build());

        assertThat(userEmails()).containsExactly("z@x");
    }

    @Test
    void chunkedSyncIsAssembledInIndexOrder() {
        TestingStreamObserver<Empty> answer = chunked(stream -> {
            stream.onNext(chunk(1, true, user("y@x", "in-1")));
            stream.onNext(chunk(0, false, user("x@x", "in-1")));
        });

        assertThat(answer.isCompleted()).isTrue();
        assertThat(journal(node)).last().isEqualTo("replaceUsers [x@x, y@x]");
    }

    @Test
    void aChunkedSyncOfTwentyThousandUsersInShuffledChunksArrivesWholeAndInIndexOrder() {
        List<String> emails = new ArrayList<>();
        List<UsersChunk> chunks = new ArrayList<>();
        for (int index = 0; index < 40; index++) {
            UsersChunk.Builder chunk = UsersChunk.newBuilder().setIndex(index).setLast(index == 39);
            for (int i = 0; i < 500; i++) {
                String email = "u" + (index * 500 + i) + "@x";
                emails.add(email);
                chunk.addUsers(user(email, "in-1"));
            }
            chunks.add(chunk.build());
        }
        Collections.shuffle(chunks, new Random(40));

        TestingStreamObserver<Empty> answer = chunked(stream -> chunks.forEach(stream::onNext));

        assertThat(answer.isCompleted()).isTrue();
        assertThat(journal(node)).last().isEqualTo("replaceUsers " + emails);
    }

    @Test
    void badChunkedSyncsAreInvalidArgumentAndChangeNothing() {
        assertStatus(chunked(stream -> stream.onNext(chunk(0, false))), Status.Code.INVALID_ARGUMENT, "INVALID_CHUNKS");
        assertStatus(chunked(stream -> {
            stream.onNext(chunk(0, true));
            stream.onNext(chunk(0, true));
        }), Status.Code.INVALID_ARGUMENT, "INVALID_CHUNKS");
        assertStatus(chunked(stream -> stream.onNext(chunk(1, true))), Status.Code.INVALID_ARGUMENT, "INVALID_CHUNKS");
        assertStatus(chunked(stream -> stream.onNext(chunk(0, true, User.getDefaultInstance()))),
                Status.Code.INVALID_ARGUMENT, "MISSING_EMAIL");

        assertThat(userEmails()).containsExactly("a@x", "b@x");
    }

    @Test
    void errorsBecomeStatusesWithTheNodesCode() {
        assertThatThrownBy(() -> grpc.start(Backend.newBuilder().setTypeValue(42).build()))
                .satisfies(e -> assertStatus(e, Status.Code.INVALID_ARGUMENT, "UNKNOWN_BACKEND_TYPE"));
        assertThatThrownBy(() -> grpc.getUserOnlineStats(StatRequest.newBuilder().setName("nobody").build()))
                .satisfies(e -> assertStatus(e, Status.Code.NOT_FOUND, "NOT_FOUND"));

        grpc.start(start("{\"fail\": {\"stats\": \"RUNTIME\"}, \"abilities\": false}"));
        assertThatThrownBy(() -> grpc.getStats(StatRequest.getDefaultInstance()))
                .satisfies(e -> assertStatus(e, Status.Code.INTERNAL, "BACKEND_FAILURE"))
                .hasMessageContaining("failed unexpectedly while reading traffic stats");
        assertThatThrownBy(() -> grpc.getBackendStats(Empty.getDefaultInstance()))
                .satisfies(e -> assertStatus(e, Status.Code.UNIMPLEMENTED, "UNSUPPORTED"));
        assertThatThrownBy(() -> grpc.start(start("{not json")))
                .satisfies(e -> assertStatus(e, Status.Code.INVALID_ARGUMENT, "INVALID_CONFIG"));
        assertThat(grpc.getBaseInfo(Empty.getDefaultInstance()).getStarted()).isTrue();
    }

    @Test
    void getLogsStreamsTheCoresLinesAndCompletesOnStop() {
        TestingStreamObserver<Log> logs = new TestingStreamObserver<>();
        node.grpcAsync().getLogs(Empty.getDefaultInstance(), logs);
        // GetLogs only sees lines published after it subscribed: wait until it has
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            say("ping");
            return !logs.values().isEmpty();
        });

        say("one\ntwo");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> logs.values().stream().map(Log::getDetail).toList().containsAll(List.of("one", "two")));
        assertThat(logs.isDone()).isFalse();

        grpc.stop(Empty.getDefaultInstance());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(logs::isDone);
        assertThat(logs.isCompleted()).isTrue();
    }

    @Test
    void getLogsNeedsAStartedBackend() {
        grpc.stop(Empty.getDefaultInstance());
        TestingStreamObserver<Log> logs = new TestingStreamObserver<>();

        node.grpcAsync().getLogs(Empty.getDefaultInstance(), logs);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(logs::isDone);
        assertStatus(logs, Status.Code.UNAVAILABLE, "BACKEND_NOT_STARTED");
    }

    private static TestingStreamObserver<Empty> chunked(Consumer<StreamObserver<UsersChunk>> sender) {
        TestingStreamObserver<Empty> answer = new TestingStreamObserver<>();
        StreamObserver<UsersChunk> stream = node.grpcAsync().syncUsersChunked(answer);
        sender.accept(stream);
        stream.onCompleted();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(answer::isDone);
        return answer;
    }

    private static void say(String line) {
        grpc.getOutboundsLatency(TestingBackendPlugin.say(line));
    }

    private static List<String> userEmails() {
        return emails(grpc.getStats(ALL_USERS));
    }

    private static void assertStatus(TestingStreamObserver<?> observer, Status.Code code, String errorCode) {
        assertStatus(observer.error(), code, errorCode);
    }

    static void assertStatus(Throwable error, Status.Code code, String errorCode) {
        assertThat(error).isInstanceOf(StatusRuntimeException.class);
        StatusRuntimeException status = (StatusRuntimeException) error;
        assertThat(status.getStatus().getCode()).isEqualTo(code);
        assertThat(status.getStatus().getDescription()).isNotBlank().doesNotContain("\tat ");
        assertThat(status.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo(errorCode);
    }
}
