package io.pgnode.host;

import static io.pgnode.host.TestingBackendPlugin.ALL_USERS;
import static io.pgnode.host.TestingBackendPlugin.start;
import static io.pgnode.host.TestingBackendPlugin.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.stub.StreamObserver;
import io.pgnode.host.grpc.GrpcLimits;
import io.pgnode.host.rest.RestLimits;
import io.pgnode.host.wire.BodyLimit;
import io.pgnode.host.wire.ParsedSize;
import io.pgnode.proto.Backend;
import io.pgnode.proto.Empty;
import io.pgnode.proto.User;
import io.pgnode.proto.Users;
import io.pgnode.proto.UsersChunk;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real panel's 100,000 users (real ids, four accounts and three inbounds each: 22 MiB on the wire, about
 * 100 MiB parsed) go through every way a panel sends them, within the limits of the heap the launcher picks on a
 * 2 GiB machine (512 MiB: 32 MiB on the wire, 160 MiB parsed). A machine that runs a core for 100,000 users has
 * more than that.
 */
class PanelSizedRequestsTest {

    private static final int USERS = 100_000;
    private static final BodyLimit TWO_GIB_MACHINE = BodyLimit.forMaxHeap(512L * 1024 * 1024);

    @TempDir static Path temp;

    private static TestingNode node;
    private static TestingRestClient rest;
    private static List<User> users;

    @BeforeAll
    static void startNode() {
        node = TestingNode.builder().pluginsDir(TestingBackendPlugin.pluginsDir(temp))
                .restLimits(limits -> new RestLimits(TWO_GIB_MACHINE, limits.bodyTimeout(), limits.headerTimeout(),
                        limits.idleTimeout(), limits.largeBodies(), limits.waitingLargeBodies()))
                .grpcLimits(limits -> new GrpcLimits(TWO_GIB_MACHINE, limits.pingInterval(), limits.pingTimeout()))
                .start();
        rest = node.rest();
        users = PanelUsers.of(1, USERS, PanelUsers.THREE_INBOUNDS);
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @BeforeEach
    void startWithOneUser() {
        rest.start(start("", user("a@x", "in-1")));
    }

    @Test
    void theUsersAreAsLargeAsAPanelsHundredThousand() {
        Users message = Users.newBuilder().addAllUsers(users).build();
        byte[] bytes = message.toByteArray();

        assertThat((long) bytes.length).isGreaterThan(TWO_GIB_MACHINE.maxBytes() / 2);
        assertThat(ParsedSize.of(Users.getDescriptor(), bytes)).isGreaterThan(TWO_GIB_MACHINE.maxParsedBytes() / 2);
    }

    @Test
    void aStartWithAllOfThemOverRest() {
        Backend backend = start("").toBuilder().addAllUsers(users).build();

        assertThat(rest.start(backend).getStarted()).isTrue();

        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);
    }

    @Test
    void aStartWithAllOfThemOverGrpc() {
        Backend backend = start("").toBuilder().addAllUsers(users).build();

        assertThat(node.grpc().start(backend).getStarted()).isTrue();

        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);
    }

    @Test
    void aFullSyncOverRestAndOverGrpc() {
        rest.syncUsers(Users.newBuilder().addAllUsers(users).build());
        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);

        rest.syncUsers(Users.newBuilder().addUsers(user("a@x", "in-1")).build());
        node.grpc().syncUsers(Users.newBuilder().addAllUsers(users).build());
        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);
    }

    @Test
    void aChunkedSyncOverRestAndOverGrpc() {
        List<UsersChunk> chunks = PanelUsers.chunks(users, 10_000);

        rest.syncUsersChunked(chunks);
        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);

        rest.syncUsers(Users.newBuilder().addUsers(user("a@x", "in-1")).build());
        TestingStreamObserver<Empty> answer = new TestingStreamObserver<>();
        StreamObserver<UsersChunk> upload = node.grpcAsync().syncUsersChunked(answer);
        chunks.forEach(upload::onNext);
        upload.onCompleted();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(answer::isDone);
        assertThat(answer.isCompleted()).as("the answer: %s", answer.error()).isTrue();
        assertThat(rest.stats(ALL_USERS).getStatsCount()).isEqualTo(USERS);
    }
}
