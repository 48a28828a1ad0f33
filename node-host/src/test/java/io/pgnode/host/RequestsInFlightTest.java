package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pgnode.proto.Empty;
import io.pgnode.proto.Log;
import io.pgnode.proto.NodeServiceGrpc;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the node counts as a request it is serving (its collections after a big request wait until none is): a
 * REST exchange or a gRPC call from its first bytes until it ends, however it ends; never a log stream, nor the
 * panel's user stream that stays open.
 */
class RequestsInFlightTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir static Path temp;

    private static TestingNode node;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp)).start();
        node.rest().start(start("", user("a@x", "in-1")));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    private static int inFlight() {
        return node.host().requestsInFlight();
    }

    @Test
    void aRestRequestWhoseBodyIsStillArrivingIsServedUntilItsConnectionCloses() {
        await().atMost(WAIT).until(() -> inFlight() == 0);
        try (RawHttps connection = RawHttps.connect(node, node.restPort())) {
            connection.write(RawHttps.head(node, "PUT", "/users/sync", "Content-Length: 1000")).write(new byte[10]);

            await().atMost(WAIT).until(() -> inFlight() == 1);
        }

        await().atMost(WAIT).until(() -> inFlight() == 0);
        assertThat(node.rest().info().getStarted()).isTrue();
    }

    @Test
    void aGrpcCallWhoseRequestHasNotArrivedIsServedUntilTheClientCancelsIt() {
        await().atMost(WAIT).until(() -> inFlight() == 0);
        // grpc-java's client holds a unary call's headers back until its message is written; declared client
        // streaming, the same method's headers go out at once: a call whose request is still on its way
        MethodDescriptor<Users, Empty> syncUsers = NodeServiceGrpc.getSyncUsersMethod().toBuilder()
                .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).build();
        ClientCall<Users, Empty> call = node.channel().newCall(syncUsers, CallOptions.DEFAULT);
        CompletableFuture<Status> closed = new CompletableFuture<>();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), node.apiKey());
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, headers);
        call.request(1);

        await().atMost(WAIT).until(() -> inFlight() == 1);

        call.cancel("the test is done with it", null);
        assertThat(closed.join().getCode()).isEqualTo(Status.Code.CANCELLED);
        await().atMost(WAIT).until(() -> inFlight() == 0);
    }

    @Test
    void aChunkedSyncIsARequestInFlightAndThePanelsUserStreamIsNot() {
        await().atMost(WAIT).until(() -> inFlight() == 0);
        TestingStreamObserver<Empty> userStreamAnswer = new TestingStreamObserver<>();
        StreamObserver<User> userStream = node.grpcAsync().syncUser(userStreamAnswer);
        userStream.onNext(user("c@x", "in-1"));
        await().atMost(WAIT).until(() -> TestingBackendPlugin.journal(node).stream()
                .anyMatch(entry -> entry.startsWith("syncUser c@x ")));
        assertThat(inFlight()).as("the user stream is open").isZero();

        TestingStreamObserver<Empty> chunkedAnswer = new TestingStreamObserver<>();
        StreamObserver<UsersChunk> chunked = node.grpcAsync().syncUsersChunked(chunkedAnswer);
        await().atMost(WAIT).until(() -> inFlight() == 1);

        chunked.onError(Status.CANCELLED.withDescription("the test is done with it").asRuntimeException());
        userStream.onCompleted();
        await().atMost(WAIT).until(() -> userStreamAnswer.isDone() && chunkedAnswer.isDone());
        await().atMost(WAIT).until(() -> inFlight() == 0);
    }

    @Test
    void openLogStreamsAreNotRequestsInFlight() {
        int readersBefore = node.logReaderCount();
        TestingStreamObserver<Log> grpcLogs = new TestingStreamObserver<>();
        Context.CancellableContext grpcStream = Context.current().withCancellation();
        grpcStream.run(() -> node.grpcAsync().getLogs(Empty.getDefaultInstance(), grpcLogs));
        try (TestingLogStream restLogs = node.rest().logs(false)) {
            assertThat(restLogs.status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> node.logReaderCount() == readersBefore + 2);

            assertThat(inFlight()).isZero();
        } finally {
            grpcStream.cancel(null);
        }
        await().atMost(WAIT).until(grpcLogs::isDone);
    }
}
